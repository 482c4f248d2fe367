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
import { coverageOf } from '../helpers/coverage';

/** Fake services: a tiny directory, passcodes that verify as the test says. */
const care = (odsCode: string, overrides: Partial<ChosenOrganisation> = {}): ChosenOrganisation => ({
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
const DIRECTORY: Record<string, ChosenOrganisation> = {
  VAAA1: care('VAAA1'),
  VMBX1: care('VMBX1', { hasSharedMailbox: true }),
  VPND1: care('VPND1', { hasPendingRegistration: true }),
  VDEN1: care('VDEN1', { kind: 'dental', name: 'Smile Dental' }),
  VDEN2: care('VDEN2', { kind: 'dental', name: 'Route B Dental', fullDetailsHeld: false }),
};
const MANY = Array.from({ length: 20 }, (_, i) => ({ name: `Home ${i}`, odsCode: `VM${i}`, kind: 'care' as const }));

function machineWith(options: { verify?: VerificationOutcome[]; failLookups?: boolean; failSend?: boolean; failVerify?: boolean; failPick?: boolean; failEmail?: boolean } = {}) {
  const outcomes = [...(options.verify ?? [])];
  const calls = { requestPasscode: [] as unknown[], verify: [] as unknown[] };
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
  };
  const machine = provideRegistrationServices(services);
  return { machine, calls };
}

const coverage = coverageOf(registrationMachine);
const answer = (a: Answer): RegistrationEvent => ({ type: 'ANSWER', answer: a });
const QUESTIONNAIRE: Record<string, RegistrationEvent[]> = {
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
async function run(route: keyof typeof QUESTIONNAIRE, events: RegistrationEvent[], options?: Parameters<typeof machineWith>[0]) {
  const { machine, calls } = machineWith(options);
  const actor = createActor(machine, { inspect: coverage.inspect }).start();
  for (const event of [...QUESTIONNAIRE[route]!, { type: 'CONTINUE' } as RegistrationEvent, ...events]) {
    actor.send(event);
    await waitFor(actor, (s) => !s.hasTag('busy'));
  }
  return { snapshot: actor.getSnapshot(), calls };
}

const postcode = (value: string) => answer({ question: 'postcode', value });
const pick = (value: string) => answer({ question: 'organisation', value });
const location = answer({ question: 'cqcLocationId', value: '1-1000000001' });
const contactId = answer({ question: 'contactId', value: 'CON1-123456789' });
const passcode = answer({ question: 'passcode', value: 'ABCDEFGH' });

afterAll(() => console.log(`coverage of the registration steps: ${coverage.report().text}`));

describe('organisation details (SPEC §1.2)', () => {

  it('offers the organisations of the right kind at the postcode', async () => {
    const { snapshot } = await run('contactId', [postcode('LS1 4AP')]);
    expect(snapshot.value).toBe('chooseOrganisation');
    expect(snapshot.context.candidates?.map((c) => c.odsCode)).toEqual(['VAAA1', 'VMBX1', 'VPND1']);
  });

  it('says when nothing is registered at the postcode, and takes another', async () => {
    const { snapshot } = await run('contactId', [postcode('ZZ9 9ZZ')]);
    expect(snapshot.value).toBe('postcode');
    expect(snapshot.context.problem).toBe('noOrganisationsFound');
    const again = await run('contactId', [postcode('ZZ9 9ZZ'), postcode('LS1 4AP')]);
    expect(again.snapshot.value).toBe('chooseOrganisation');
    expect(again.snapshot.context.problem).toBeUndefined();
  });

  it('asks for the ODS code or the full postcode when there are too many to list', async () => {
    const { snapshot } = await run('contactId', [postcode('LS1')]);
    expect(snapshot.value).toBe('chooseOrganisation');
    expect(snapshot.context.problem).toBe('tooManyOrganisations');
    const narrowed = await run('contactId', [postcode('LS1'), postcode('LS1 4AP')]);
    expect(narrowed.snapshot.context.candidates).toHaveLength(3);
  });

  it('refuses an unknown ODS code and an organisation of the other kind', async () => {
    expect((await run('contactId', [postcode('LS1 4AP'), pick('VZZZ9')])).snapshot.context.problem).toBe('unknownOrganisation');
    expect((await run('contactId', [postcode('LS1 4AP'), pick('VDEN1')])).snapshot.context.problem).toBe('otherKindOfOrganisation');
  });

  it('an organisation that already has a shared mailbox, or a registration in progress, cannot register again', async () => {
    expect((await run('contactId', [postcode('LS1 4AP'), pick('VMBX1')])).snapshot.value).toBe('sharedMailboxExistsStop');
    expect((await run('contactId', [postcode('LS1 4AP'), pick('VPND1')])).snapshot.value).toBe('registrationPendingStop');
    expect((await run('contactId', [postcode('LS1 4AP'), pick('VMBX1'), { type: 'BACK' }])).snapshot.value).toBe('chooseOrganisation');
    expect((await run('contactId', [postcode('LS1 4AP'), pick('VPND1'), { type: 'BACK' }])).snapshot.value).toBe('chooseOrganisation');
  });

  it('a lookup that fails re-asks the question instead of losing the answers', async () => {
    const { snapshot } = await run('contactId', [postcode('LS1 4AP')], { failLookups: true });
    expect(snapshot.value).toBe('postcode');
    expect(snapshot.context.problem).toBe('serviceUnavailable');
    const picking = await run('contactId', [postcode('LS1 4AP'), pick('VAAA1')], { failPick: true });
    expect(picking.snapshot.value).toBe('chooseOrganisation');
    expect(picking.snapshot.context.problem).toBe('serviceUnavailable');
    const email = await run('byEmail', [postcode('LS1 4AP'), pick('VAAA1'), answer({ question: 'managerEmail', value: 'manager@example.co.uk' })], { failEmail: true });
    expect(email.snapshot.value).toBe('managerEmail');
    expect(email.snapshot.context.problem).toBe('serviceUnavailable');
  });

  it('goes back step by step', async () => {
    expect((await run('contactId', [{ type: 'BACK' }])).snapshot.value).toBe('prerequisitesMet');
    expect((await run('contactId', [postcode('LS1 4AP'), { type: 'BACK' }])).snapshot.value).toBe('postcode');
    expect((await run('contactId', [postcode('LS1 4AP'), pick('VAAA1'), { type: 'BACK' }])).snapshot.value).toBe('chooseOrganisation');
  });
});

describe('verification (SPEC §1.3)', () => {
  it('a care provider with a CQC contact ID gives the location ID, then the contact ID', async () => {
    const { snapshot, calls } = await run('contactId', [postcode('LS1 4AP'), pick('VAAA1'), location, contactId]);
    expect(snapshot.value).toBe('town');
    expect(snapshot.context.verifiedBy).toBe('cqc-contact-id');
    expect(calls.verify).toEqual([{ odsCode: 'VAAA1', cqcLocationId: '1-1000000001', method: 'cqc-contact-id', secret: 'CON1-123456789' }]);
    expect(calls.requestPasscode).toEqual([]);
  });

  it('a care provider with a passcode in hand gives the location ID, then the passcode', async () => {
    const { snapshot, calls } = await run('passcodeInHand', [postcode('LS1 4AP'), pick('VAAA1'), location, passcode]);
    expect(snapshot.value).toBe('town');
    expect(calls.verify[0]).toMatchObject({ method: 'otp', secret: 'ABCDEFGH' });
  });

  it('a passcode by email needs the registered manager\'s address held, then waits for the passcode', async () => {
    const wrong = await run('byEmail', [postcode('LS1 4AP'), pick('VAAA1'), answer({ question: 'managerEmail', value: 'someone@else.com' })]);
    expect(wrong.snapshot.value).toBe('managerEmail');
    expect(wrong.snapshot.context.problem).toBe('managerEmailMismatch');
    const { snapshot, calls } = await run('byEmail', [postcode('LS1 4AP'), pick('VAAA1'), answer({ question: 'managerEmail', value: 'manager@example.co.uk' })]);
    expect(snapshot.value).toBe('awaitingPasscode');
    expect(snapshot.context.passcode?.channel).toBe('email');
    expect(calls.requestPasscode).toEqual([{ odsCode: 'VAAA1', kind: 'care', channel: 'email' }]);
  });

  it('the user comes back with the passcode and carries on; or asks for it again', async () => {
    const email = answer({ question: 'managerEmail', value: 'manager@example.co.uk' });
    const done = await run('byEmail', [postcode('LS1 4AP'), pick('VAAA1'), email, { type: 'CONTINUE' }, location, passcode]);
    expect(done.snapshot.value).toBe('town');
    const resent = await run('byEmail', [postcode('LS1 4AP'), pick('VAAA1'), email, { type: 'RESEND' }]);
    expect(resent.snapshot.value).toBe('awaitingPasscode');
    expect(resent.calls.requestPasscode).toHaveLength(2);
    const direct = await run('byEmail', [postcode('LS1 4AP'), pick('VAAA1'), email, location]);
    expect(direct.snapshot.value).toBe('enterPasscode');
    const back = await run('byEmail', [postcode('LS1 4AP'), pick('VAAA1'), email, { type: 'CONTINUE' }, { type: 'BACK' }]);
    expect(back.snapshot.value).toBe('awaitingPasscode');
    const backToEmail = await run('byEmail', [postcode('LS1 4AP'), pick('VAAA1'), { type: 'BACK' }]);
    expect(backToEmail.snapshot.value).toBe('chooseOrganisation');
  });

  it('a passcode that cannot be sent is explained', async () => {
    const email = answer({ question: 'managerEmail', value: 'manager@example.co.uk' });
    const { snapshot } = await run('byEmail', [postcode('LS1 4AP'), pick('VAAA1'), email], { failSend: true });
    expect(snapshot.value).toBe('cannotSendPasscode');
    expect((await run('byEmail', [postcode('LS1 4AP'), pick('VAAA1'), email, { type: 'BACK' }], { failSend: true })).snapshot.value).toBe('chooseOrganisation');
  });

  it('details that do not verify are asked again, saying how many attempts are left', async () => {
    const { snapshot } = await run('contactId', [postcode('LS1 4AP'), pick('VAAA1'), location, contactId], { verify: [{ result: 'failed', failuresLeft: 3 }] });
    expect(snapshot.value).toBe('cqcLocationId');
    expect(snapshot.context).toMatchObject({ problem: 'notVerified', failuresLeft: 3 });
  });

  it('too many failed attempts lock verification for the organisation', async () => {
    const { snapshot } = await run('contactId', [postcode('LS1 4AP'), pick('VAAA1'), location, contactId], { verify: [{ result: 'locked', lockedUntil: 123 }] });
    expect(snapshot.value).toBe('verificationLocked');
    expect(snapshot.context.lockedUntil).toBe(123);
  });

  it('an expired passcode is explained and a new one can be requested, by email or by post, or not', async () => {
    const expired: VerificationOutcome[] = [{ result: 'expired', expiredAt: 42 }];
    const steps = [postcode('LS1 4AP'), pick('VAAA1'), location, passcode];
    const { snapshot } = await run('passcodeInHand', steps, { verify: expired });
    expect(snapshot.value).toBe('passcodeExpired');
    expect(snapshot.context.expiredAt).toBe(42);
    const byEmail = await run('passcodeInHand', [...steps, answer({ question: 'newPasscode', value: 'email' })], { verify: expired });
    expect(byEmail.calls.requestPasscode).toEqual([{ odsCode: 'VAAA1', kind: 'care', channel: 'email' }]);
    expect(byEmail.snapshot.value).toBe('awaitingPasscode');
    const byPost = await run('passcodeInHand', [...steps, answer({ question: 'newPasscode', value: 'post' })], { verify: expired });
    expect(byPost.calls.requestPasscode).toEqual([{ odsCode: 'VAAA1', kind: 'care', channel: 'post' }]);
    const no = await run('passcodeInHand', [...steps, answer({ question: 'newPasscode', value: 'no' })], { verify: expired });
    expect(no.snapshot.value).toBe('passcodeNotRenewedStop');
    expect((await run('passcodeInHand', [...steps, answer({ question: 'newPasscode', value: 'no' }), { type: 'BACK' }], { verify: expired })).snapshot.value).toBe('passcodeExpired');
  });

  it('a verification service failure re-asks instead of failing the conversation', async () => {
    const { snapshot } = await run('contactId', [postcode('LS1 4AP'), pick('VAAA1'), location, contactId], { failVerify: true });
    expect(snapshot.value).toBe('cqcLocationId');
    expect(snapshot.context.problem).toBe('serviceUnavailable');
  });

  it('going back from the secret returns to the location ID', async () => {
    expect((await run('contactId', [postcode('LS1 4AP'), pick('VAAA1'), location, { type: 'BACK' }])).snapshot.value).toBe('cqcLocationId');
    expect((await run('passcodeInHand', [postcode('LS1 4AP'), pick('VAAA1'), location, { type: 'BACK' }])).snapshot.value).toBe('cqcLocationId');
    expect((await run('contactId', [postcode('LS1 4AP'), pick('VAAA1'), { type: 'BACK' }])).snapshot.value).toBe('chooseOrganisation');
  });

  describe('dental practices', () => {
    it('Route A: a practice the directory fully holds verifies like a care provider', async () => {
      const { snapshot } = await run('dentalContactId', [postcode('LS1 4AP'), pick('VDEN1'), location, contactId]);
      expect(snapshot.value).toBe('town');
      expect(snapshot.context.verifiedBy).toBe('cqc-contact-id');
    });

    it('Route B: a passcode goes by post, then the CQC details held are shown to confirm', async () => {
      const { snapshot, calls } = await run('dentalContactId', [postcode('LS1 4AP'), pick('VDEN2')]);
      expect(snapshot.value).toBe('awaitingPasscode');
      expect(calls.requestPasscode).toEqual([{ odsCode: 'VDEN2', kind: 'dental', channel: 'post' }]);
      const verified = await run('dentalContactId', [postcode('LS1 4AP'), pick('VDEN2'), { type: 'CONTINUE' }, location, passcode]);
      expect(verified.snapshot.value).toBe('confirmCqcDetails');
      expect(verified.calls.verify[0]).toMatchObject({ method: 'otp' });
      const confirmed = await run('dentalContactId', [postcode('LS1 4AP'), pick('VDEN2'), { type: 'CONTINUE' }, location, passcode, answer({ question: 'cqcDetailsCorrect', value: true })]);
      expect(confirmed.snapshot.value).toBe('town');
      const rejected = await run('dentalContactId', [postcode('LS1 4AP'), pick('VDEN2'), { type: 'CONTINUE' }, location, passcode, answer({ question: 'cqcDetailsCorrect', value: false })]);
      expect(rejected.snapshot.value).toBe('cqcDetailsRejectedStop');
      const back = await run('dentalContactId', [postcode('LS1 4AP'), pick('VDEN2'), { type: 'CONTINUE' }, location, passcode, answer({ question: 'cqcDetailsCorrect', value: false }), { type: 'BACK' }]);
      expect(back.snapshot.value).toBe('confirmCqcDetails');
    });

    it('Route B never offers a new passcode by email', async () => {
      const steps = [postcode('LS1 4AP'), pick('VDEN2'), { type: 'CONTINUE' } as RegistrationEvent, location, passcode, answer({ question: 'newPasscode', value: 'email' })];
      const { snapshot } = await run('dentalContactId', steps, { verify: [{ result: 'expired', expiredAt: 1 }] });
      expect(snapshot.value).toBe('passcodeExpired');
    });
  });

  it('every state and transition after the questionnaire is taken by these tests', () => {
    // The questionnaire's states are covered by its own test file.
    const questionnaire = ['organisationKind', 'hospiceStop', 'existingAccount', 'existingAccountStop', 'toolkit', 'toolkitStop', 'otpInHand', 'cqcContactId', 'otpDelivery', 'prerequisitesMet'];
    const ours = (id: string) => !questionnaire.some((s) => id === `registration.${s}` || id.startsWith(`registration.${s} `));
    const report = coverage.report();
    expect(report.states.missing.filter(ours)).toEqual([]);
    expect(report.transitions.missing.filter(ours)).toEqual([]);
    expect(report.states.missing).not.toContain('registration.prerequisitesMet');
  });
});
