import { createActor, waitFor, type AnyMachineSnapshot } from 'xstate';
import {
  passwordHelpMachine,
  providePasswordHelpServices,
  type CodeCheck,
  type CodeSend,
  type PasswordHelpContext,
  type PasswordHelpEvent,
  type PasswordHelpInput,
  type PasswordHelpServices,
  type ResetOutcome,
  type VouchLookup,
  type VouchStatus,
} from '../../machines/passwordHelp';
import { coverageOf } from '../helpers/coverage';

/**
 * Drives the password help machine with fake services, so tests read like a user's answers. The
 * fakes know three accounts (one with a mobile, one without, one hosted by a CSU) and a code that
 * is always 246810; each can be told to fail or to answer otherwise.
 */
export const T0 = Date.UTC(2026, 11, 2, 10, 0); // Wednesday 2 December 2026, 10am: NAS is open

export const SESSION = { channelId: 'emulator', conversationKey: 'conv-1', conversationReference: { conversation: { id: 'c1' } } };

export interface FakeOptions {
  send?: CodeSend[];
  check?: CodeCheck[];
  submit?: ResetOutcome[];
  status?: VouchStatus[];
  find?: VouchLookup[];
  /** true: the service always fails; a number: its first n calls fail. */
  fail?: Partial<Record<keyof PasswordHelpServices, boolean | number>>;
}

export const RAISED: ResetOutcome = {
  outcome: 'raised',
  request: { reference: 'PWD-7KD9QX2P', status: 'received', createdAt: T0 },
  mobileEnding: '033',
  queue: 'care',
};

export function fakeServices(options: FakeOptions = {}) {
  const sends = [...(options.send ?? [])];
  const checks = [...(options.check ?? [])];
  const submits = [...(options.submit ?? [])];
  const statuses = [...(options.status ?? [])];
  const finds = [...(options.find ?? [])];
  const failures = { ...options.fail };
  const calls: Record<string, unknown[]> = {};
  const record = (name: keyof PasswordHelpServices, input: unknown) => {
    (calls[name] ??= []).push(input);
    const fail = failures[name];
    if (fail === true) throw new Error(`${name} is down`);
    if (typeof fail === 'number' && fail > 0) {
      failures[name] = fail - 1;
      throw new Error(`${name} is down`);
    }
  };
  const services: PasswordHelpServices = {
    whoAdministers: async (input) => {
      record('whoAdministers', input);
      if (input.address === 'david.price@nhs.net') {
        return { kind: 'local', name: 'Severn Vale CSU', helpdesk: { name: 'Severn Vale CSU IT service desk', email: 'servicedesk@severnvale.example', phone: '0117 496 0732' } };
      }
      if (input.address === 'amy.pearce@nhs.net') return { kind: 'nas', queue: 'care' };
      return { kind: 'unknown' };
    },
    sendResetCode: async (input) => {
      record('sendResetCode', input);
      return sends.shift() ?? { sent: true, ending: '033', issuedAt: T0, expiresAt: T0 + 10 * 60_000 };
    },
    verifyResetCode: async (input) => {
      record('verifyResetCode', input);
      return checks.shift() ?? (input.code === '246810' ? { result: 'right' } : { result: 'wrong', attemptsLeft: 4 });
    },
    submitReset: async (input) => {
      record('submitReset', input);
      return submits.shift() ?? RAISED;
    },
    askOwner: async (input) => {
      record('askOwner', input);
      return { vouchId: 'vouch-1', askedAt: T0, expiresAt: T0 + 72 * 3_600_000 };
    },
    vouchStatus: async (input) => {
      record('vouchStatus', input);
      return statuses.shift() ?? { status: 'waiting', expiresAt: T0 + 72 * 3_600_000 };
    },
    findVouch: async (input) => {
      record('findVouch', input);
      const scripted = finds.shift();
      if (scripted) return scripted;
      if (input.code !== 'ABCD2345') return { found: false, reason: 'notFound' };
      return {
        found: true,
        question: { requesterName: 'Joseph Achebe', address: 'joseph.achebe@nhs.net', organisationName: 'Larkspur House', mobile: '+447400123456', askedAt: T0, expiresAt: T0 + 72 * 3_600_000 },
      };
    },
    answerVouch: async (input) => {
      record('answerVouch', input);
      return input.answer === 'yes' ? { outcome: 'recorded', answer: 'yes', result: RAISED } : { outcome: 'recorded', answer: 'no' };
    },
  };
  return { services, calls };
}

export const coverage = coverageOf(passwordHelpMachine);

export function startHelp(options: FakeOptions = {}, input: Partial<PasswordHelpInput> = {}) {
  const { services, calls } = fakeServices(options);
  let clock = T0;
  const machine = providePasswordHelpServices(services, () => clock);
  const actor = createActor(machine, { input: { ...SESSION, attemptId: 'attempt-1', ...input }, inspect: coverage.inspect });
  actor.start();
  const settled = () => waitFor(actor, (s) => !s.hasTag('busy'), { timeout: 2_000 });
  return {
    actor,
    calls,
    advance(ms: number) {
      clock += ms;
    },
    async send(event: PasswordHelpEvent) {
      actor.send(event);
      return settled();
    },
    async answer(question: string, value: unknown) {
      actor.send({ type: 'ANSWER', answer: { question, value } });
      return settled();
    },
    get snapshot(): AnyMachineSnapshot {
      return actor.getSnapshot();
    },
    get context(): PasswordHelpContext {
      return actor.getSnapshot().context;
    },
    get state(): string {
      return statePath(actor.getSnapshot().value);
    },
    settled,
  };
}

export function statePath(value: unknown): string {
  if (typeof value === 'string') return value;
  const [key, inner] = Object.entries(value as Record<string, unknown>)[0]!;
  return `${key}.${statePath(inner)}`;
}
