import type { FlowInput } from '../flow';
import type { MemberEntryContext } from '../memberEntry';
import type { ChosenOrganisation, ListedMember, RegistrationContext } from './model';
import { Member, MemberField, RegisteringKind } from './rules';
import { initialContext } from './setup';

/**
 * A registration stored by the first release (one flat statechart, `schemaVersion` 1) as this
 * version's nested one, so a user who left to wait for a posted passcode carries on where they
 * were. Pure: the new attempt id and the conversation come in `input`. Undefined when the stored
 * snapshot is not one that release could have written.
 */

type Stored = Record<string, unknown> & { value?: unknown; context?: unknown };

/** The first release's states, and where each one is now. */
const STATES: Record<string, string> = {
  organisationKind: 'checks.organisationKind',
  hospiceStop: 'checks.hospiceStop',
  existingAccount: 'checks.existingAccount',
  existingAccountStop: 'checks.existingAccountStop',
  toolkit: 'checks.toolkit',
  toolkitStop: 'checks.toolkitStop',
  otpInHand: 'checks.otpInHand',
  cqcContactId: 'checks.cqcContactId',
  otpDelivery: 'checks.otpDelivery',
  prerequisitesMet: 'checks.passed',
  postcode: 'organisation.postcode',
  chooseOrganisation: 'organisation.choose',
  sharedMailboxExistsStop: 'organisation.sharedMailboxExists',
  registrationPendingStop: 'organisation.alreadyPending',
  managerEmail: 'organisation.managerEmail',
  cannotSendPasscode: 'verification.cannotSendPasscode',
  // The first release asked for the CQC location ID after the passcode came: it is asked then.
  awaitingPasscode: 'verification.awaitingPasscode',
  cqcLocationId: 'verification.cqcLocationId',
  enterContactId: 'verification.contactId',
  enterPasscode: 'verification.passcode',
  passcodeExpired: 'verification.passcodeExpired',
  passcodeNotRenewedStop: 'verification.passcodeNotRenewed',
  verificationLocked: 'verification.locked',
  confirmCqcDetails: 'verification.confirmCqcDetails',
  cqcDetailsRejectedStop: 'verification.cqcDetailsRejected',
  town: 'town.town',
  townConfirm: 'town.townConfirm',
  townAbbreviation: 'town.townAbbreviation',
  mailboxAddress: 'town.mailboxAddress',
  membersList: 'members.list',
  review: 'review.summary',
  submitted: 'review.submitted',
};

/** The first release's member questions, and the member entry state that asks each now. */
const MEMBER_STATES: Record<string, string> = {
  memberTitle: 'title',
  memberFirstName: 'firstName',
  memberLastName: 'lastName',
  memberEmail: 'email',
  memberMobile: 'mobile',
  memberRole: 'role',
  memberOwner: 'owner',
  memberMailboxAccess: 'mailboxAccess',
  memberMailboxAdmin: 'mailboxAdmin',
};

interface V1Context {
  answers?: RegistrationContext['answers'];
  postcode?: string;
  candidates?: RegistrationContext['candidates'];
  organisation?: Omit<ChosenOrganisation, 'pendingRegistration'> & { hasPendingRegistration?: boolean };
  cqcLocationId?: string;
  passcode?: RegistrationContext['passcode'];
  verifiedBy?: RegistrationContext['verifiedBy'];
  failuresLeft?: number;
  expiredAt?: number;
  lockedUntil?: number;
  town?: string;
  mailboxTown?: string;
  members?: Member[];
  draft?: Partial<Member>;
  editing?: { index: number; field: MemberField };
  submitted?: RegistrationContext['submitted'];
  submittedMember?: Member;
}

/** Where a state of the first release is now (its dotted path; member questions are inside the member entry). */
export function v1StateNow(state: string): { path: string; member?: string } | undefined {
  if (STATES[state]) return { path: STATES[state]! };
  if (MEMBER_STATES[state]) return { path: 'members.entering', member: MEMBER_STATES[state]! };
  return undefined;
}

const path = (dotted: string) => {
  const [part, state] = dotted.split('.');
  return { [part!]: state! };
};

export function migrateRegistrationV1(stored: Stored, input: FlowInput): Stored | undefined {
  const state = stored.value;
  const old = stored.context as V1Context | undefined;
  if (typeof state !== 'string' || !old || typeof old !== 'object' || !old.answers) return undefined;
  const target = STATES[state] ?? (MEMBER_STATES[state] ? 'members.entering' : undefined);
  if (!target) return undefined;

  const members: ListedMember[] = (old.members ?? []).map((m, i) => ({ ...m, id: `m${i + 1}` }));
  const { hasPendingRegistration, ...organisation } = old.organisation ?? ({} as NonNullable<V1Context['organisation']>);
  const context: RegistrationContext = {
    ...initialContext(input),
    answers: old.answers,
    ...(old.postcode ? { postcode: old.postcode } : {}),
    ...(old.candidates ? { candidates: old.candidates } : {}),
    ...(old.organisation ? { organisation: { ...organisation, ...(hasPendingRegistration ? { pendingRegistration: {} } : {}) } as ChosenOrganisation } : {}),
    ...(old.cqcLocationId ? { cqcLocationId: old.cqcLocationId } : {}),
    ...(old.passcode ? { passcode: old.passcode } : {}),
    ...(old.verifiedBy ? { verifiedBy: old.verifiedBy } : {}),
    ...(old.expiredAt ? { expiredAt: old.expiredAt } : {}),
    ...(old.lockedUntil ? { lockedUntil: old.lockedUntil } : {}),
    // While the town waits for its confirmation it is "typed", not yet confirmed.
    ...(old.town ? (state === 'townConfirm' ? { typedTown: old.town } : { town: old.town }) : {}),
    ...(old.mailboxTown ? { mailboxTown: old.mailboxTown } : {}),
    ...(old.submitted ? { submitted: old.submitted } : {}),
    members,
    nextMemberId: members.length + 1,
  };

  const children: Record<string, unknown> = {};
  if (target === 'members.entering') {
    const editing = old.editing && members[old.editing.index] ? old.editing : undefined;
    context.entry = editing ? { memberId: members[editing.index]!.id, field: editing.field } : {};
    const kind: RegisteringKind = (old.organisation?.kind ?? old.answers.organisationKind) === 'dental' ? 'dental' : 'care';
    const edited = editing ? members[editing.index] : undefined;
    const { id: _id, ...editedMember } = edited ?? { id: '' };
    const entry: MemberEntryContext = {
      member: edited ? editedMember : { ...(old.draft ?? {}) },
      kind,
      others: members.filter((m) => m.id !== edited?.id).map(({ id: _, ...m }) => m),
      fixedOwner: edited ? editing!.index === 0 : members.length === 0,
      ...(editing ? { field: editing.field, editing: true } : {}),
      ...(old.submittedMember ? { submitted: old.submittedMember } : {}),
    };
    children.member = {
      snapshot: { status: 'active', value: MEMBER_STATES[state], historyValue: {}, context: entry, children: {} },
      src: 'memberEntry',
      syncSnapshot: false,
    };
  }

  return { status: 'active', value: path(target), historyValue: {}, context, children };
}
