import { VerificationOutcome, RegistrationEvent } from '../../machines/registration';
import {
  answer,
  contactId,
  coverage,
  location,
  passcode,
  pick,
  postcode,
  run,
} from '../helpers/registrationDriver';

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

  it('every state and transition of organisation details and verification is taken by these tests', () => {
    const mine = ['postcode', 'findingOrganisations', 'organisationsFound', 'chooseOrganisation', 'lookingUpOrganisation', 'sharedMailboxExistsStop',
      'registrationPendingStop', 'organisationChosen', 'managerEmail', 'checkingManagerEmail', 'requestingPasscode', 'cannotSendPasscode',
      'awaitingPasscode', 'cqcLocationId', 'verificationSecret', 'enterContactId', 'enterPasscode', 'verifying', 'passcodeExpired',
      'passcodeNotRenewedStop', 'verificationLocked', 'verified', 'confirmCqcDetails', 'cqcDetailsRejectedStop'];
    const ours = (id: string) => mine.some((s) => id === `registration.${s}` || id.startsWith(`registration.${s} `));
    const report = coverage.report();
    expect(report.states.missing.filter(ours)).toEqual([]);
    expect(report.transitions.missing.filter(ours)).toEqual([]);
  });
});
