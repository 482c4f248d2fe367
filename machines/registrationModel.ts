import { fromPromise } from 'xstate';

/**
 * The registration's model: what it gathers, the rules it follows and the services it needs. The
 * statechart that uses them is machines/registration.ts. Registering an organisation for NHSmail: the pre-requisite questionnaire (SPEC §1.1), which
 * decides whether the organisation may use this route and how it will be verified; then the
 * organisation's details (§1.2) and its verification (§1.3). Every lookup, passcode and check is
 * an actor provided from outside (see `RegistrationServices`), so the machine stays pure.
 */

export type OrganisationKind = 'care' | 'dental' | 'hospice';
export type OtpDelivery = 'email' | 'post';

export interface PrerequisiteAnswers {
  organisationKind?: OrganisationKind;
  hasNhsmailAccount?: boolean;
  toolkitPublished?: boolean;
  otpInHand?: boolean;
  knowsCqcContactId?: boolean;
  otpDelivery?: OtpDelivery;
}

export type QuestionId =
  | 'organisationKind'
  | 'existingAccount'
  | 'toolkit'
  | 'otpInHand'
  | 'cqcContactId'
  | 'otpDelivery';

/** The value each question takes, as the dialog hands it over (already validated and normalised). */
export type Answer =
  | { question: 'organisationKind'; value: OrganisationKind }
  | { question: 'otpDelivery'; value: OtpDelivery }
  | { question: Exclude<QuestionId, 'organisationKind' | 'otpDelivery'>; value: boolean }
  | { question: 'postcode' | 'organisation' | 'managerEmail' | 'cqcLocationId' | 'contactId' | 'passcode'; value: string }
  | { question: 'cqcDetailsCorrect'; value: boolean }
  | { question: 'newPasscode'; value: OtpDelivery | 'no' }
  /** The town as typed, and its letters a–z for the shared mailbox address. */
  | { question: 'town' | 'townConfirm'; value: { name: string; letters: string } }
  | { question: 'townAbbreviation'; value: string }
  | { question: 'memberTitle'; value: string | null }
  | { question: 'memberFirstName' | 'memberLastName' | 'memberEmail' | 'memberMobile' | 'memberRole'; value: string }
  | { question: 'memberMailboxAccess' | 'memberMailboxAdmin' | 'memberOwner'; value: boolean };

export type AnswerQuestion = Answer['question'];

export type RegistrationEvent =
  | { type: 'ANSWER'; answer: Answer }
  | { type: 'BACK' }
  /** "Continue" after the summary; "I have my passcode" while waiting for one. */
  | { type: 'CONTINUE' }
  /** Send the passcode again while waiting for it. */
  | { type: 'RESEND' }
  | { type: 'ADD_MEMBER' }
  /** A whole member at once (a form on Teams or the web chat page): the one being added or edited. */
  | { type: 'SAVE_MEMBER'; member: Member }
  | { type: 'EDIT_MEMBER'; index: number; field: MemberField }
  | { type: 'REMOVE_MEMBER'; index: number }
  | { type: 'LIST_MEMBERS' }
  | { type: 'MEMBERS_DONE' }
  /** "Confirm and finish"; the engine adds where the request came from. */
  | { type: 'CONFIRM'; origin?: RequestOrigin };

/** Where a request came from, so the requester can be told when it moves. */
export interface RequestOrigin {
  conversationKey: string;
  conversationReference: unknown;
}

/** A person who needs a new NHSmail account (SPEC §1.4). */
export interface Member {
  title?: string;
  firstName: string;
  lastName: string;
  email: string;
  /** E.164 */
  mobile: string;
  role: string;
  sharedMailboxAccess: boolean;
  mailboxAdmin: boolean;
  /** The first member is the shared mailbox owner; care providers may name more owners. */
  owner: boolean;
}

export const MEMBER_FIELDS = ['title', 'firstName', 'lastName', 'email', 'mobile', 'role', 'sharedMailboxAccess', 'mailboxAdmin', 'owner'] as const;
export type MemberField = (typeof MEMBER_FIELDS)[number];

export const MIN_MEMBERS = 2;
export const MAX_MEMBERS = 10;
export const MAX_DENTAL_OWNERS = 2;
export const MAILBOX_TOWN_MAX_LETTERS = 10;

export interface SubmittedRequest {
  reference: string;
  submittedAt: number;
}

/** Everything a registration request holds (SPEC §1.5). */
export interface RegistrationSubmission {
  organisation: { kind: 'care' | 'dental'; name: string; odsCode: string; cqcLocationId: string };
  town: string;
  mailboxTown: string;
  members: Member[];
  verifiedBy: 'otp' | 'cqc-contact-id';
  origin: RequestOrigin;
}

/** An organisation as offered in a list: "Name – ODS code". */
export interface OrganisationChoice {
  name: string;
  odsCode: string;
  kind: OrganisationKind;
}

/** What the registration keeps of the chosen organisation (never its verification secrets). */
export interface ChosenOrganisation extends OrganisationChoice {
  cqcLocationId: string;
  addressLines: string[];
  town: string;
  postcode: string;
  fullDetailsHeld: boolean;
  hasSharedMailbox: boolean;
  hasPendingRegistration: boolean;
}

export interface PasscodeSent {
  channel: OtpDelivery;
  /** Where it went, partly hidden: "j***@example.co.uk" or "the CQC-registered address". */
  sentTo: string;
  issuedAt: number;
  expiresAt: number;
}

export type VerificationOutcome =
  | { result: 'verified' }
  | { result: 'failed'; failuresLeft: number }
  | { result: 'expired'; expiredAt: number }
  | { result: 'locked'; lockedUntil: number };

/** Why the current step is being asked again, for the dialog to explain. */
export type Problem =
  | 'noOrganisationsFound'
  | 'tooManyOrganisations'
  | 'unknownOrganisation'
  | 'otherKindOfOrganisation'
  | 'managerEmailMismatch'
  | 'notVerified'
  | 'serviceUnavailable'
  | 'townMismatch'
  | 'duplicateEmail'
  | 'duplicateMobile'
  | 'mobileAlreadyOnNhsmail'
  | 'tooManyOwners'
  | 'tooFewMembers'
  | 'membersFull'
  | 'cannotRemoveOwner'
  | 'noSuchMember'
  | 'submitFailed';

export interface RegistrationContext {
  answers: PrerequisiteAnswers;
  postcode?: string;
  candidates?: OrganisationChoice[];
  organisation?: ChosenOrganisation;
  cqcLocationId?: string;
  passcode?: PasscodeSent;
  verifiedBy?: 'otp' | 'cqc-contact-id';
  failuresLeft?: number;
  expiredAt?: number;
  lockedUntil?: number;
  problem?: Problem;
  /** The town as typed and confirmed, and its (at most 10) letters for the mailbox address. */
  town?: string;
  townLetters?: string;
  mailboxTown?: string;
  members?: Member[];
  /** The member being added. */
  draft?: Partial<Member>;
  /** The member and field being changed from the list. */
  editing?: { index: number; field: MemberField };
  submitted?: SubmittedRequest;
  /** A mobile number waiting for the check against existing NHSmail accounts. */
  pendingMobile?: string;
  /** A whole member submitted at once, kept while it is checked (and shown again if refused). */
  submittedMember?: Member;
}

/** At most this many organisations are offered from one postcode; more → ask for the full postcode. */
export const MAX_CANDIDATES = 12;

/** The effects the registration needs, provided by the caller with `machine.provide({ actors })`. */
export interface RegistrationServices {
  findOrganisations: (input: { postcode: string }) => Promise<OrganisationChoice[]>;
  getOrganisation: (input: { odsCode: string }) => Promise<ChosenOrganisation | undefined>;
  checkManagerEmail: (input: { odsCode: string; email: string }) => Promise<boolean>;
  requestPasscode: (input: { odsCode: string; kind: 'care' | 'dental'; channel: OtpDelivery }) => Promise<PasscodeSent>;
  verifyOrganisation: (input: {
    odsCode: string;
    cqcLocationId: string;
    method: 'otp' | 'cqc-contact-id';
    secret: string;
  }) => Promise<VerificationOutcome>;
  /** Whether an existing NHSmail account already has this mobile (E.164). */
  isMobileOnNhsmail: (input: { mobile: string }) => Promise<boolean>;
  /** Stores the request for NAS; the same conversation or ODS code gets the first request back. */
  submitRegistration: (input: RegistrationSubmission) => Promise<SubmittedRequest>;
}

export const notProvided = (name: string) =>
  fromPromise<never, unknown>(async () => {
    throw new Error(`registration service "${name}" was not provided`);
  });

export type VerificationRoute = 'otp-in-hand' | 'cqc-contact-id' | 'otp-by-email' | 'otp-by-post';

/** Which way the organisation will prove who it is, from the questionnaire's answers. */
export function verificationRoute(answers: PrerequisiteAnswers): VerificationRoute | undefined {
  if (answers.otpInHand) return 'otp-in-hand';
  if (answers.knowsCqcContactId) return 'cqc-contact-id';
  if (answers.otpDelivery === 'email') return 'otp-by-email';
  if (answers.otpDelivery === 'post') return 'otp-by-post';
  return undefined;
}

export const answerTo =
  <Q extends AnswerQuestion>(question: Q, value?: unknown) =>
  ({ event }: { event: RegistrationEvent }) =>
    event.type === 'ANSWER' &&
    event.answer.question === question &&
    (value === undefined || event.answer.value === value);

export const answerValue = (event: RegistrationEvent): unknown => (event.type === 'ANSWER' ? event.answer.value : undefined);

/** Route B: a dental practice whose details the directory does not fully hold. */
export const isRouteB = (context: RegistrationContext) =>
  context.organisation?.kind === 'dental' && context.organisation.fullDetailsHeld === false;

/** How the passcode is to be sent, when one must be requested at all. */
export function passcodeChannel(context: RegistrationContext): OtpDelivery | undefined {
  const route = verificationRoute(context.answers);
  if (route === 'otp-in-hand') return undefined;
  // Route B verifies with a passcode sent by post, whatever was chosen before.
  if (isRouteB(context)) return 'post';
  if (route === 'otp-by-email') return 'email';
  if (route === 'otp-by-post') return 'post';
  return undefined;
}

export function verificationMethod(context: RegistrationContext): 'otp' | 'cqc-contact-id' {
  return verificationRoute(context.answers) === 'cqc-contact-id' && !isRouteB(context) ? 'cqc-contact-id' : 'otp';
}

export type Ctx = { context: RegistrationContext; event: RegistrationEvent };

export const members = (context: RegistrationContext) => context.members ?? [];
/** Members other than the one being edited (uniqueness is checked against these). */
export const others = (context: RegistrationContext) => members(context).filter((_, i) => i !== context.editing?.index);
export const ownerCount = (list: Member[]) => list.filter((m) => m.owner).length;
export const isDental = (context: RegistrationContext) => context.organisation?.kind === 'dental';

/** A member's fields after a change, kept consistent: owners have access and are admins. */
export function withField(member: Partial<Member>, field: MemberField, value: unknown): Partial<Member> {
  const next: Partial<Member> = { ...member, [field]: value ?? undefined };
  if (field === 'title' && !value) delete next.title;
  if (field === 'owner' && value === true) Object.assign(next, { sharedMailboxAccess: true, mailboxAdmin: true });
  if (field === 'sharedMailboxAccess' && value === false) Object.assign(next, { mailboxAdmin: false, owner: false });
  if (field === 'mailboxAdmin' && value === true) next.sharedMailboxAccess = true;
  if (field === 'mailboxAdmin' && value === false) next.owner = false;
  return next;
}

/** A member submitted whole, with the owner rules applied to its flags. */
export function ruledMember(context: RegistrationContext, member: Member): Member {
  const index = context.editing?.index ?? members(context).length;
  if (index === 0) return { ...member, owner: true, sharedMailboxAccess: true, mailboxAdmin: true };
  let next = { ...member };
  for (const field of ['owner', 'sharedMailboxAccess', 'mailboxAdmin'] as const) next = withField(next, field, member[field]) as Member;
  if (member.owner) next = withField(next, 'owner', true) as Member;
  return next;
}

export const submittedOf = (event: RegistrationEvent) => (event.type === 'SAVE_MEMBER' ? event.member : undefined);

export const FIELD_OF_QUESTION: Partial<Record<AnswerQuestion, MemberField>> = {
  memberTitle: 'title',
  memberFirstName: 'firstName',
  memberLastName: 'lastName',
  memberEmail: 'email',
  memberMobile: 'mobile',
  memberRole: 'role',
  memberMailboxAccess: 'sharedMailboxAccess',
  memberMailboxAdmin: 'mailboxAdmin',
  memberOwner: 'owner',
};

/** The state that asks for each field, for editing from the list. */
export const FIELD_STATE: Record<MemberField, string> = {
  title: 'memberTitle',
  firstName: 'memberFirstName',
  lastName: 'memberLastName',
  email: 'memberEmail',
  mobile: 'memberMobile',
  role: 'memberRole',
  sharedMailboxAccess: 'memberMailboxAccess',
  mailboxAdmin: 'memberMailboxAdmin',
  owner: 'memberOwner',
};

/** The field value an answer (or the mobile just checked) carries. */
export function answeredField({ context, event }: Ctx): { field: MemberField; value: unknown } | undefined {
  if ((event as { type: string }).type.startsWith('xstate.done.actor')) return { field: 'mobile', value: context.pendingMobile };
  if (event.type !== 'ANSWER') return undefined;
  const field = FIELD_OF_QUESTION[event.answer.question];
  return field ? { field, value: event.answer.value } : undefined;
}


