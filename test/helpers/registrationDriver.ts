import { AnyActorRef, AnyMachineSnapshot, createActor } from 'xstate';
import { settle } from '../../bot/flowSnapshots';
import type { FlowInput } from '../../machines/flow';
import { memberEntryMachine, type MemberEntryContext } from '../../machines/memberEntry';
import {
  Answer,
  ChosenOrganisation,
  PasscodeRequest,
  RegistrationContext,
  RegistrationEvent,
  RegistrationServices,
  RegistrationSubmission,
  SubmitOutcome,
  VerificationOutcome,
  provideRegistrationServices,
  registrationMachine,
} from '../../machines/registration';
import { statePath } from '../../machines/flow';
import { coverageOf } from './coverage';

/**
 * Drives the registration machine with fake services (a tiny directory, passcodes that verify as
 * a test says), so machine tests read like a user's answers.
 */
export const care = (odsCode: string, overrides: Partial<ChosenOrganisation> = {}): ChosenOrganisation => ({
  kind: 'care',
  name: `Care Home ${odsCode}`,
  odsCode,
  cqcLocationId: '1-1000000001',
  addressLines: ['1 High Street'],
  town: 'Leeds',
  postcode: 'LS1 4AP',
  fullDetailsHeld: true,
  hasSharedMailbox: false,
  ...overrides,
});
export const DIRECTORY: Record<string, ChosenOrganisation> = {
  VAAA1: care('VAAA1'),
  VMBX1: care('VMBX1', { hasSharedMailbox: true }),
  VPND1: care('VPND1', { pendingRegistration: { reference: 'REG-PENDING2', status: 'received', createdAt: 0, channel: 'msteams' } }),
  VSTK1: care('VSTK1', { name: 'Tees View', town: 'Stockton-on-Tees' }),
  VDEN1: care('VDEN1', { kind: 'dental', name: 'Smile Dental' }),
  VDEN2: care('VDEN2', { kind: 'dental', name: 'Route B Dental', fullDetailsHeld: false }),
};
const MANY = Array.from({ length: 20 }, (_, i) => ({ name: `Home ${i}`, odsCode: `VM${i}`, kind: 'care' as const }));

export const INPUT: FlowInput = {
  attemptId: 'attempt-1',
  channelId: 'msteams',
  conversationKey: 'conversation-1',
  conversationReference: { conversation: { id: 'c1' } },
  user: { email: 'jane@example.co.uk', source: 'teams' },
};

export interface FakeOptions {
  verify?: VerificationOutcome[];
  /** What each passcode request answers, in turn ('fail': it throws; default: sent). */
  passcodes?: (PasscodeRequest | 'fail')[];
  /** What each submission answers, in turn (default: submitted, REG-TESTTEST). */
  submissions?: SubmitOutcome[];
  failLookups?: boolean;
  failSend?: boolean;
  failVerify?: boolean;
  failPick?: boolean;
  failEmail?: boolean;
  failMobileCheck?: boolean;
  failSubmit?: boolean;
  mobilesOnNhsmail?: string[];
  /** What each check of the lock answers, in turn (default: not locked). */
  locks?: (number | undefined)[];
  failLockCheck?: boolean;
}

export function machineWith(options: FakeOptions = {}) {
  const outcomes = [...(options.verify ?? [])];
  const passcodes = [...(options.passcodes ?? [])];
  const submissions = [...(options.submissions ?? [])];
  const locks = [...(options.locks ?? [])];
  const calls = { requestPasscode: [] as unknown[], verify: [] as unknown[], submit: [] as RegistrationSubmission[] };
  const services: RegistrationServices = {
    findOrganisations: async (input) => {
      if (options.failLookups) throw new Error('directory down');
      if (input.postcode === 'LS1') return MANY;
      if (input.postcode !== 'LS1 4AP') return [];
      return Object.values(DIRECTORY).map(({ name, odsCode, kind }) => ({ name, odsCode, kind }));
    },
    getOrganisation: async (input) => {
      if (options.failLookups || options.failPick) throw new Error('directory down');
      return DIRECTORY[input.odsCode];
    },
    checkManagerEmail: async (input) => {
      if (options.failEmail) throw new Error('directory down');
      return input.email === 'manager@example.co.uk';
    },
    requestPasscode: async (input) => {
      calls.requestPasscode.push(input);
      if (options.failSend) throw new Error('outbox down');
      const next = passcodes.shift();
      if (next === 'fail') throw new Error('outbox down');
      return (
        next ?? {
          sent: true,
          passcode: { channel: input.channel, sentTo: input.channel === 'email' ? 'm***@example.co.uk' : 'post', issuedAt: calls.requestPasscode.length, expiresAt: 21 * 86_400_000 },
        }
      );
    },
    verifyOrganisation: async (input) => {
      calls.verify.push(input);
      if (options.failVerify) throw new Error('down');
      return outcomes.shift() ?? { result: 'verified' };
    },
    verificationLockedUntil: async () => {
      if (options.failLockCheck) throw new Error('passcodes down');
      return locks.shift();
    },
    isMobileOnNhsmail: async ({ mobile }) => {
      if (options.failMobileCheck) throw new Error('directory down');
      return (options.mobilesOnNhsmail ?? []).includes(mobile);
    },
    submitRegistration: async (input) => {
      calls.submit.push(input);
      if (options.failSubmit) throw new Error('NAS store down');
      return submissions.shift() ?? { outcome: 'submitted', reference: 'REG-TESTTEST', submittedAt: 0 };
    },
  };
  const machine = provideRegistrationServices(services);
  return { machine, calls };
}

export const coverage = coverageOf(registrationMachine);
export const memberCoverage = coverageOf(memberEntryMachine);
const inspect = (event: Parameters<typeof coverage.inspect>[0]) => {
  coverage.inspect(event);
  memberCoverage.inspect(event);
};

export const answer = (a: Answer): RegistrationEvent => ({ type: 'ANSWER', answer: a });
export const QUESTIONNAIRE: Record<string, RegistrationEvent[]> = {
  contactId: [
    answer({ question: 'organisationKind', value: 'care' }),
    answer({ question: 'existingAccount', value: false }),
    answer({ question: 'toolkit', value: true }),
    answer({ question: 'otpInHand', value: false }),
    answer({ question: 'cqcContactId', value: true }),
  ],
  passcodeInHand: [
    answer({ question: 'organisationKind', value: 'care' }),
    answer({ question: 'existingAccount', value: false }),
    answer({ question: 'toolkit', value: true }),
    answer({ question: 'otpInHand', value: true }),
    answer({ question: 'cqcContactId', value: false }),
  ],
  byEmail: [
    answer({ question: 'organisationKind', value: 'care' }),
    answer({ question: 'existingAccount', value: false }),
    answer({ question: 'toolkit', value: true }),
    answer({ question: 'otpInHand', value: false }),
    answer({ question: 'cqcContactId', value: false }),
    answer({ question: 'otpDelivery', value: 'email' }),
  ],
  byPost: [
    answer({ question: 'organisationKind', value: 'care' }),
    answer({ question: 'existingAccount', value: false }),
    answer({ question: 'toolkit', value: true }),
    answer({ question: 'otpInHand', value: false }),
    answer({ question: 'cqcContactId', value: false }),
    answer({ question: 'otpDelivery', value: 'post' }),
  ],
  dentalContactId: [
    answer({ question: 'organisationKind', value: 'dental' }),
    answer({ question: 'existingAccount', value: false }),
    answer({ question: 'toolkit', value: true }),
    answer({ question: 'otpInHand', value: false }),
    answer({ question: 'cqcContactId', value: true }),
  ],
  dentalByEmail: [
    answer({ question: 'organisationKind', value: 'dental' }),
    answer({ question: 'existingAccount', value: false }),
    answer({ question: 'toolkit', value: true }),
    answer({ question: 'otpInHand', value: false }),
    answer({ question: 'cqcContactId', value: false }),
    answer({ question: 'otpDelivery', value: 'email' }),
  ],
};

/** The member entry's snapshot while the registration is entering a member. */
export function memberOf(snapshot: AnyMachineSnapshot): AnyMachineSnapshot | undefined {
  return (snapshot.children as Record<string, AnyActorRef | undefined>).member?.getSnapshot() as AnyMachineSnapshot | undefined;
}

/** Where the registration is: `members.list`, or `members.entering/email` inside the member entry. */
export function where(snapshot: AnyMachineSnapshot): string {
  const path = statePath(snapshot.value);
  const member = memberOf(snapshot);
  return member ? `${path}/${statePath(member.value)}` : path;
}

export interface Run {
  snapshot: Omit<AnyMachineSnapshot, 'context'> & { context: RegistrationContext };
  /** `where(snapshot)` */
  at: string;
  /** The member entry's context, while a member is entered. */
  member?: MemberEntryContext;
  calls: ReturnType<typeof machineWith>['calls'];
}

/** Runs events one at a time, letting invoked services (the member entry's too) settle after each. */
export async function run(route: keyof typeof QUESTIONNAIRE, events: RegistrationEvent[], options?: FakeOptions): Promise<Run> {
  const { machine, calls } = machineWith(options);
  const actor = createActor(machine, { input: INPUT, inspect }).start();
  for (const event of [...QUESTIONNAIRE[route]!, { type: 'CONTINUE' } as RegistrationEvent, ...events]) {
    actor.send(event);
    await settle(actor, 5_000);
  }
  const snapshot = actor.getSnapshot();
  const member = memberOf(snapshot)?.context as MemberEntryContext | undefined;
  return { snapshot: snapshot as Run['snapshot'], at: where(snapshot), ...(member ? { member } : {}), calls };
}

/** Restores a persisted registration snapshot and runs events on it. */
export async function resume(persisted: unknown, events: RegistrationEvent[], options?: FakeOptions): Promise<Run> {
  const { machine, calls } = machineWith(options);
  const actor = createActor(machine, { input: INPUT, snapshot: persisted as never, inspect }).start();
  for (const event of events) {
    actor.send(event);
    await settle(actor, 5_000);
  }
  const snapshot = actor.getSnapshot();
  const member = memberOf(snapshot)?.context as MemberEntryContext | undefined;
  return { snapshot: snapshot as Run['snapshot'], at: where(snapshot), ...(member ? { member } : {}), calls };
}

export const postcode = (value: string) => answer({ question: 'postcode', value });
export const pick = (value: string) => answer({ question: 'organisation', value });
export const location = answer({ question: 'cqcLocationId', value: '1-1000000001' });
export const contactId = answer({ question: 'contactId', value: 'CON1-123456789' });
export const passcode = answer({ question: 'passcode', value: 'ABCDEFGH' });
