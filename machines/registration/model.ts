import { fromPromise } from 'xstate';
import type { MemberAnswer, MemberEntryEvent } from '../memberEntry';
import {
  Member,
  MemberField,
  OrganisationKind,
  OtpDelivery,
  RegisteringKind,
  isTownAbbreviation,
  sharedMailboxAddress,
} from './rules';

/**
 * What the registration gathers, the events it takes and the services it needs (SPEC §1). The
 * statechart is machines/registration/index.ts, in parts (checks, organisation, verification,
 * town, members, review); the rules it follows are machines/registration/rules.ts.
 */

export interface PrerequisiteAnswers {
  organisationKind?: OrganisationKind;
  hasNhsmailAccount?: boolean;
  toolkitPublished?: boolean;
  otpInHand?: boolean;
  knowsCqcContactId?: boolean;
  otpDelivery?: OtpDelivery;
}

/** The pre-requisite questions (SPEC §1.1), in order. */
export const QUESTION_ORDER = ['organisationKind', 'existingAccount', 'toolkit', 'otpInHand', 'cqcContactId', 'otpDelivery'] as const;
export type QuestionId = (typeof QUESTION_ORDER)[number];

/** The value each answer takes, as the dialog hands it over (already validated and normalised). */
export type Answer =
  | { question: 'organisationKind'; value: OrganisationKind }
  | { question: 'otpDelivery'; value: OtpDelivery }
  | { question: Exclude<QuestionId, 'organisationKind' | 'otpDelivery'>; value: boolean }
  | { question: 'postcode' | 'organisation' | 'managerEmail' | 'cqcLocationId' | 'contactId' | 'passcode'; value: string }
  | { question: 'cqcDetailsCorrect' | 'removeMember'; value: boolean }
  | { question: 'newPasscode'; value: OtpDelivery | 'no' }
  /** The town as typed (letters, spaces, hyphens and apostrophes). */
  | { question: 'town' | 'townConfirm'; value: string }
  /** The user's own abbreviation: 1 to 10 letters a–z. */
  | { question: 'townAbbreviation'; value: string };
export type AnswerQuestion = Answer['question'];

/**
 * A member of the list, as a card or a typed command names them. Cards carry the member's stable
 * id and the version of the list they showed, so a button of an out-of-date list acts on no one.
 */
export type MemberRef = { id: string; listVersion: number } | { index: number };

export type RegistrationEvent =
  | { type: 'ANSWER'; answer: Answer }
  /** Answers meant for the member being entered, forwarded to the member entry. */
  | { type: 'ANSWER'; answer: MemberAnswer }
  | Exclude<MemberEntryEvent, { type: 'ANSWER' }>
  | { type: 'BACK' }
  /** "Continue" after the checks' summary; "I have my passcode" while waiting for one. */
  | { type: 'CONTINUE' }
  /** Send the passcode again while waiting for it. */
  | { type: 'RESEND' }
  | { type: 'ADD_MEMBER' }
  /** Change one field of a member, or (no field) the whole member. */
  | { type: 'EDIT_MEMBER'; member: MemberRef; field?: MemberField }
  | { type: 'REMOVE_MEMBER'; member: MemberRef }
  | { type: 'MEMBERS_DONE' }
  /** At the review: change the town (and so the shared mailbox address). */
  | { type: 'CHANGE_TOWN' }
  | { type: 'CONFIRM' };

/** A member of the registration: its id stays the same however the list changes. */
export interface ListedMember extends Member {
  id: string;
}

/** An organisation as offered in a list: "Name – ODS code". */
export interface OrganisationChoice {
  name: string;
  odsCode: string;
  kind: OrganisationKind;
}

/**
 * What may be told about a registration already being processed for an organisation: never the
 * other person's name or address (CONTRACTS §1 `existing`). Empty when the directory only knows
 * that there is one.
 */
export interface ExistingRegistration {
  reference?: string;
  status?: string;
  createdAt?: number;
  /** The channel the other person used (e.g. msteams). */
  channel?: string;
  /** Made earlier in this same conversation (by this user, in another registration attempt). */
  yours?: boolean;
}

/** What the registration keeps of the chosen organisation (never its verification secrets). */
export interface ChosenOrganisation extends OrganisationChoice {
  cqcLocationId: string;
  addressLines: string[];
  town: string;
  postcode: string;
  fullDetailsHeld: boolean;
  hasSharedMailbox: boolean;
  /** A registration for it is already being processed. */
  pendingRegistration?: ExistingRegistration;
}

export interface PasscodeSent {
  channel: OtpDelivery;
  /** Where it went, partly hidden: "j***@example.co.uk" or "the CQC-registered address". */
  sentTo: string;
  issuedAt: number;
  expiresAt: number;
}

/** A passcode asked for: sent, or refused because one was sent too recently (SPEC §1.3). */
export type PasscodeRequest =
  | { sent: true; passcode: PasscodeSent }
  | { sent: false; reason: 'tooSoon' | 'dailyLimit'; nextAllowedAt: number; last?: PasscodeSent };

export type VerificationOutcome =
  | { result: 'verified' }
  | { result: 'failed'; failuresLeft: number }
  | { result: 'expired'; expiredAt: number }
  | { result: 'locked'; lockedUntil: number };

/** Who asked: where NAS tells them when the request moves. */
export interface Requester {
  channelId: string;
  conversationKey: string;
  conversationReference: unknown;
  email?: string;
}

/** Everything a registration request holds (SPEC §1.5). */
export interface RegistrationSubmission {
  /** One per registration attempt: the same attempt never makes two requests. */
  attemptId: string;
  organisation: { kind: RegisteringKind; name: string; odsCode: string; cqcLocationId: string };
  town: string;
  mailboxTown: string;
  members: Member[];
  verifiedBy: 'otp' | 'cqc-contact-id';
  requester: Requester;
}

export type SubmitOutcome =
  /** Stored for NAS (or, for a confirm repeated, the request stored the first time). */
  | { outcome: 'submitted'; reference: string; submittedAt: number }
  /** Another person's registration for the organisation is being processed; this one is kept for NAS too. */
  | { outcome: 'alreadyBeingProcessed'; existing: ExistingRegistration; kept: { reference: string } };

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
  | 'tooFewMembers'
  | 'membersFull'
  | 'cannotRemoveOwner'
  | 'cannotChangeOwnerFlags'
  | 'noSuchMember'
  | 'staleList'
  | 'submitFailed'
  | 'passcodeTooSoon'
  | 'passcodeDailyLimit'
  /** "Try again" while verification is still locked. */
  | 'stillLocked'
  /** A passcode typed before the CQC location ID is known (a conversation from the first release). */
  | 'cqcLocationIdFirst';

/** Something done that the next reply should mention (not a problem). */
export type Notice =
  | { kind: 'passcodeSentAgain' }
  | { kind: 'memberRemoved'; name: string }
  | { kind: 'memberSaved'; name: string; changed: boolean };

export interface RegistrationContext {
  attemptId: string;
  requester: Requester;
  answers: PrerequisiteAnswers;
  postcode?: string;
  candidates?: OrganisationChoice[];
  organisation?: ChosenOrganisation;
  cqcLocationId?: string;
  passcode?: PasscodeSent;
  /** When the next passcode may be sent, after a request refused as too soon. */
  nextPasscodeAt?: number;
  verifiedBy?: 'otp' | 'cqc-contact-id';
  failuresLeft?: number;
  expiredAt?: number;
  lockedUntil?: number;
  problem?: Problem;
  notice?: Notice;
  /** The town as confirmed (the directory's spelling when it is the same town). */
  town?: string;
  /** The town as first typed, waiting for the confirmation. */
  typedTown?: string;
  /** The town part of the shared mailbox address: at most 10 letters. */
  mailboxTown?: string;
  members: ListedMember[];
  nextMemberId: number;
  /** Changes whenever the list does: a card's button from an older list is refused. */
  listVersion: number;
  /** What the member entry is doing: a new member, or changing one (one field, or all). */
  entry?: { memberId?: string; field?: MemberField };
  /** A change asked for at the review: once made, the review is shown again. */
  reviewing?: boolean;
  /** The member asked about before removal. */
  removing?: string;
  submitted?: { reference: string; submittedAt: number };
  /** The registration another person made first, and the reference this one is kept under. */
  alreadyBeingProcessed?: { existing: ExistingRegistration; kept: { reference: string } };
}

/** The effects the registration needs, provided by the caller with `machine.provide({ actors })`. */
export interface RegistrationServices {
  findOrganisations: (input: { postcode: string }) => Promise<OrganisationChoice[]>;
  /** The organisation; a registration pending for it says whether it was made in `conversationKey`. */
  getOrganisation: (input: { odsCode: string; conversationKey: string }) => Promise<ChosenOrganisation | undefined>;
  checkManagerEmail: (input: { odsCode: string; email: string }) => Promise<boolean>;
  requestPasscode: (input: { odsCode: string; kind: RegisteringKind; channel: OtpDelivery }) => Promise<PasscodeRequest>;
  verifyOrganisation: (input: {
    odsCode: string;
    cqcLocationId: string;
    method: 'otp' | 'cqc-contact-id';
    secret: string;
  }) => Promise<VerificationOutcome>;
  /** Until when verification is locked for the organisation (after 5 failures in 24 hours), if it is. */
  verificationLockedUntil: (input: { odsCode: string }) => Promise<number | undefined>;
  /** Whether an existing NHSmail account already has this mobile (E.164). */
  isMobileOnNhsmail: (input: { mobile: string }) => Promise<boolean>;
  /** Stores the request for NAS, once per attempt id. */
  submitRegistration: (input: RegistrationSubmission) => Promise<SubmitOutcome>;
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

/** Route B: a dental practice whose details the directory does not fully hold. */
export const isRouteB = (context: Pick<RegistrationContext, 'organisation'>) =>
  context.organisation?.kind === 'dental' && context.organisation.fullDetailsHeld === false;

/** Route B although the user chose to verify by email or by their CQC contact ID: they are told why. */
export const switchedToRouteB = (context: Pick<RegistrationContext, 'organisation' | 'answers'>) => {
  const route = verificationRoute(context.answers);
  return isRouteB(context) && (route === 'otp-by-email' || route === 'cqc-contact-id');
};

/** How the passcode is to be sent, when one must be requested at all. */
export function passcodeChannel(context: Pick<RegistrationContext, 'organisation' | 'answers'>): OtpDelivery | undefined {
  const route = verificationRoute(context.answers);
  if (route === 'otp-in-hand') return undefined;
  // Route B verifies with a passcode sent by post, whatever was chosen before.
  if (isRouteB(context)) return 'post';
  if (route === 'otp-by-email') return 'email';
  if (route === 'otp-by-post') return 'post';
  return undefined;
}

export function verificationMethod(context: Pick<RegistrationContext, 'organisation' | 'answers'>): 'otp' | 'cqc-contact-id' {
  return verificationRoute(context.answers) === 'cqc-contact-id' && !isRouteB(context) ? 'cqc-contact-id' : 'otp';
}

export const kindOf = (context: Pick<RegistrationContext, 'organisation' | 'answers'>): RegisteringKind =>
  (context.organisation?.kind ?? context.answers.organisationKind) === 'dental' ? 'dental' : 'care';

/** The shared mailbox address, once the organisation and the town part are known. */
export function mailboxAddressOf(context: Pick<RegistrationContext, 'organisation' | 'mailboxTown'>): string | undefined {
  const { organisation, mailboxTown } = context;
  if (!organisation || !mailboxTown || !isTownAbbreviation(mailboxTown) || organisation.kind === 'hospice') return undefined;
  return sharedMailboxAddress({ kind: organisation.kind, town: mailboxTown, name: organisation.name, odsCode: organisation.odsCode });
}

/** The member a card or command names, if it is still in the list that was shown. */
export function memberNamed(context: RegistrationContext, ref: MemberRef): ListedMember | undefined {
  if ('id' in ref) return ref.listVersion === context.listVersion ? context.members.find((m) => m.id === ref.id) : undefined;
  return context.members[ref.index];
}

export const isListStale = (context: RegistrationContext, ref: MemberRef) => 'id' in ref && ref.listVersion !== context.listVersion;
