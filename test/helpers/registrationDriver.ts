import { createActor, waitFor } from 'xstate';
import {
  Answer,
  ChosenOrganisation,
  RegistrationEvent,
  RegistrationServices,
  VerificationOutcome,
  provideRegistrationServices,
  registrationMachine,
} from '../../machines/registration';
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
  hasPendingRegistration: false,
  ...overrides,
});
export const DIRECTORY: Record<string, ChosenOrganisation> = {
  VAAA1: care('VAAA1'),
  VMBX1: care('VMBX1', { hasSharedMailbox: true }),
  VPND1: care('VPND1', { hasPendingRegistration: true }),
  VDEN1: care('VDEN1', { kind: 'dental', name: 'Smile Dental' }),
  VDEN2: care('VDEN2', { kind: 'dental', name: 'Route B Dental', fullDetailsHeld: false }),
};
const MANY = Array.from({ length: 20 }, (_, i) => ({ name: `Home ${i}`, odsCode: `VM${i}`, kind: 'care' as const }));

export interface FakeOptions {
  verify?: VerificationOutcome[];
  failLookups?: boolean;
  failSend?: boolean;
  failVerify?: boolean;
  failPick?: boolean;
  failEmail?: boolean;
  failMobileCheck?: boolean;
  failSubmit?: boolean;
  mobilesOnNhsmail?: string[];
}

export function machineWith(options: FakeOptions = {}) {
  const outcomes = [...(options.verify ?? [])];
  const calls = { requestPasscode: [] as unknown[], verify: [] as unknown[], submit: [] as unknown[] };
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
      return { channel: input.channel, sentTo: input.channel === 'email' ? 'm***@example.co.uk' : 'post', issuedAt: 0, expiresAt: 21 * 86_400_000 };
    },
    verifyOrganisation: async (input) => {
      calls.verify.push(input);
      if (options.failVerify) throw new Error('down');
      return outcomes.shift() ?? { result: 'verified' };
    },
    isMobileOnNhsmail: async ({ mobile }) => {
      if (options.failMobileCheck) throw new Error('directory down');
      return (options.mobilesOnNhsmail ?? []).includes(mobile);
    },
    submitRegistration: async (input) => {
      calls.submit.push(input);
      if (options.failSubmit) throw new Error('NAS store down');
      return { reference: 'REG-TESTTEST', submittedAt: 0 };
    },
  };
  const machine = provideRegistrationServices(services);
  return { machine, calls };
}

export const coverage = coverageOf(registrationMachine);
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
  dentalContactId: [
    answer({ question: 'organisationKind', value: 'dental' }),
    answer({ question: 'existingAccount', value: false }),
    answer({ question: 'toolkit', value: true }),
    answer({ question: 'otpInHand', value: false }),
    answer({ question: 'cqcContactId', value: true }),
  ],
};

/** Runs events one at a time, letting invoked services settle after each. */
export async function run(route: keyof typeof QUESTIONNAIRE, events: RegistrationEvent[], options?: Parameters<typeof machineWith>[0]) {
  const { machine, calls } = machineWith(options);
  const actor = createActor(machine, { inspect: coverage.inspect }).start();
  for (const event of [...QUESTIONNAIRE[route]!, { type: 'CONTINUE' } as RegistrationEvent, ...events]) {
    actor.send(event);
    await waitFor(actor, (s) => !s.hasTag('busy'));
  }
  return { snapshot: actor.getSnapshot(), calls };
}

export const postcode = (value: string) => answer({ question: 'postcode', value });
export const pick = (value: string) => answer({ question: 'organisation', value });
export const location = answer({ question: 'cqcLocationId', value: '1-1000000001' });
export const contactId = answer({ question: 'contactId', value: 'CON1-123456789' });
export const passcode = answer({ question: 'passcode', value: 'ABCDEFGH' });
