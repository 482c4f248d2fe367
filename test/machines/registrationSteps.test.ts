import { RegistrationEvent, VerificationOutcome } from '../../machines/registration';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { registrationDialog } from '../../dialogs/registration';
import { migrateRegistrationV1 } from '../../machines/registration/migrate';
import { INPUT, answer, contactId, coverage, location, passcode, pick, postcode, resume, run } from '../helpers/registrationDriver';

afterAll(() => console.log(`coverage of the registration steps: ${coverage.report().text}`));

const email = answer({ question: 'managerEmail', value: 'manager@example.co.uk' });

describe('organisation details (SPEC §1.2)', () => {
  it('offers the organisations of the right kind at the postcode', async () => {
    const { at, snapshot } = await run('contactId', [postcode('LS1 4AP')]);
    expect(at).toBe('organisation.choose');
    expect(snapshot.context.candidates?.map((c) => c.odsCode)).toEqual(['VAAA1', 'VMBX1', 'VPND1', 'VSTK1']);
  });

  it('says when nothing is registered at the postcode, and takes another', async () => {
    const { at, snapshot } = await run('contactId', [postcode('ZZ9 9ZZ')]);
    expect(at).toBe('organisation.postcode');
    expect(snapshot.context.problem).toBe('noOrganisationsFound');
    const again = await run('contactId', [postcode('ZZ9 9ZZ'), postcode('LS1 4AP')]);
    expect(again.at).toBe('organisation.choose');
    expect(again.snapshot.context.problem).toBeUndefined();
  });

  it('asks for the ODS code or the full postcode when there are too many to list', async () => {
    const { at, snapshot } = await run('contactId', [postcode('LS1')]);
    expect(at).toBe('organisation.choose');
    expect(snapshot.context.problem).toBe('tooManyOrganisations');
    const narrowed = await run('contactId', [postcode('LS1'), postcode('LS1 4AP')]);
    expect(narrowed.snapshot.context.candidates).toHaveLength(4);
  });

  it('refuses an unknown ODS code and an organisation of the other kind', async () => {
    expect((await run('contactId', [postcode('LS1 4AP'), pick('VZZZ9')])).snapshot.context.problem).toBe('unknownOrganisation');
    expect((await run('contactId', [postcode('LS1 4AP'), pick('VDEN1')])).snapshot.context.problem).toBe('otherKindOfOrganisation');
  });

  it('an organisation that already has a shared mailbox, or a registration being processed, cannot register again', async () => {
    expect((await run('contactId', [postcode('LS1 4AP'), pick('VMBX1')])).at).toBe('organisation.sharedMailboxExists');
    const pending = await run('contactId', [postcode('LS1 4AP'), pick('VPND1')]);
    expect(pending.at).toBe('organisation.alreadyPending');
    // What may be told of the other registration: its reference, status, date and channel.
    expect(pending.snapshot.context.organisation?.pendingRegistration).toEqual({ reference: 'REG-PENDING2', status: 'received', createdAt: 0, channel: 'msteams' });
    expect((await run('contactId', [postcode('LS1 4AP'), pick('VMBX1'), { type: 'BACK' }])).at).toBe('organisation.choose');
    const back = await run('contactId', [postcode('LS1 4AP'), pick('VPND1'), { type: 'BACK' }]);
    expect(back.at).toBe('organisation.choose');
    expect(back.snapshot.context.organisation).toBeUndefined();
  });

  it('a lookup that fails re-asks the question instead of losing the answers', async () => {
    const { at, snapshot } = await run('contactId', [postcode('LS1 4AP')], { failLookups: true });
    expect(at).toBe('organisation.postcode');
    expect(snapshot.context.problem).toBe('serviceUnavailable');
    const picking = await run('contactId', [postcode('LS1 4AP'), pick('VAAA1')], { failPick: true });
    expect(picking.at).toBe('organisation.choose');
    expect(picking.snapshot.context.problem).toBe('serviceUnavailable');
    const failing = await run('byEmail', [postcode('LS1 4AP'), pick('VAAA1'), email], { failEmail: true });
    expect(failing.at).toBe('organisation.managerEmail');
    expect(failing.snapshot.context.problem).toBe('serviceUnavailable');
    // And the user is told so, not just asked the same again.
    for (const { snapshot: failed } of [{ snapshot }, picking, failing]) {
      expect(registrationDialog.problem?.(failed as unknown as Parameters<NonNullable<typeof registrationDialog.problem>>[0])).toMatch(/could not check that just now/);
    }
  });

  it('goes back step by step', async () => {
    expect((await run('contactId', [{ type: 'BACK' }])).at).toBe('checks.passed');
    expect((await run('contactId', [postcode('LS1 4AP'), { type: 'BACK' }])).at).toBe('organisation.postcode');
    expect((await run('contactId', [postcode('LS1 4AP'), pick('VAAA1'), { type: 'BACK' }])).at).toBe('organisation.choose');
    expect((await run('byEmail', [postcode('LS1 4AP'), pick('VAAA1'), { type: 'BACK' }])).at).toBe('organisation.choose');
    expect((await run('byEmail', [postcode('LS1 4AP'), pick('VAAA1'), email, { type: 'BACK' }])).at).toBe('organisation.managerEmail');
  });
});

describe('verification (SPEC §1.3)', () => {
  it('a care provider with a CQC contact ID gives the location ID, then the contact ID', async () => {
    const { at, snapshot, calls } = await run('contactId', [postcode('LS1 4AP'), pick('VAAA1'), location, contactId]);
    expect(at).toBe('town.town');
    expect(snapshot.context.verifiedBy).toBe('cqc-contact-id');
    expect(calls.verify).toEqual([{ odsCode: 'VAAA1', cqcLocationId: '1-1000000001', method: 'cqc-contact-id', secret: 'CON1-123456789' }]);
    expect(calls.requestPasscode).toEqual([]);
  });

  it('a care provider with a passcode in hand gives the location ID, then the passcode', async () => {
    const { at, calls } = await run('passcodeInHand', [postcode('LS1 4AP'), pick('VAAA1'), location, passcode]);
    expect(at).toBe('town.town');
    expect(calls.verify[0]).toMatchObject({ method: 'otp', secret: 'ABCDEFGH' });
  });

  it("a passcode by email needs the registered manager's address held and the location ID, then waits for the passcode", async () => {
    const wrong = await run('byEmail', [postcode('LS1 4AP'), pick('VAAA1'), answer({ question: 'managerEmail', value: 'someone@else.com' })]);
    expect(wrong.at).toBe('organisation.managerEmail');
    expect(wrong.snapshot.context.problem).toBe('managerEmailMismatch');
    const asked = await run('byEmail', [postcode('LS1 4AP'), pick('VAAA1'), email]);
    expect(asked.at).toBe('verification.cqcLocationId');
    expect(asked.calls.requestPasscode).toEqual([]);
    const { at, snapshot, calls } = await run('byEmail', [postcode('LS1 4AP'), pick('VAAA1'), email, location]);
    expect(at).toBe('verification.awaitingPasscode');
    expect(snapshot.context.passcode?.channel).toBe('email');
    expect(calls.requestPasscode).toEqual([{ odsCode: 'VAAA1', kind: 'care', channel: 'email' }]);
  });

  it('a passcode typed while waiting is taken at once; "I have my passcode" asks for it', async () => {
    const waiting = [postcode('LS1 4AP'), pick('VAAA1'), email, location];
    const pasted = await run('byEmail', [...waiting, passcode]);
    expect(pasted.at).toBe('town.town');
    expect(pasted.calls.verify).toEqual([{ odsCode: 'VAAA1', cqcLocationId: '1-1000000001', method: 'otp', secret: 'ABCDEFGH' }]);
    const told = await run('byEmail', [...waiting, { type: 'CONTINUE' }, passcode]);
    expect(told.at).toBe('town.town');
    // The location ID typed again while waiting replaces the one given, and the passcode is asked.
    const location2 = answer({ question: 'cqcLocationId', value: '1-1000000002' });
    const relocated = await run('byEmail', [...waiting, location2]);
    expect(relocated.at).toBe('verification.passcode');
    expect(relocated.snapshot.context.cqcLocationId).toBe('1-1000000002');
    expect((await run('byEmail', [...waiting, { type: 'CONTINUE' }, { type: 'BACK' }])).at).toBe('verification.awaitingPasscode');
    expect((await run('byEmail', [...waiting, { type: 'BACK' }])).at).toBe('verification.cqcLocationId');
    expect((await run('byEmail', [...waiting.slice(0, 3), { type: 'BACK' }])).at).toBe('organisation.managerEmail');
  });

  it('"send it again" sends a new passcode the same way and says so; a refusal says when the next can go', async () => {
    const waiting = [postcode('LS1 4AP'), pick('VAAA1'), email, location];
    const resent = await run('byEmail', [...waiting, { type: 'RESEND' }]);
    expect(resent.at).toBe('verification.awaitingPasscode');
    expect(resent.calls.requestPasscode).toEqual([
      { odsCode: 'VAAA1', kind: 'care', channel: 'email' },
      { odsCode: 'VAAA1', kind: 'care', channel: 'email' },
    ]);
    expect(resent.snapshot.context.notice).toEqual({ kind: 'passcodeSentAgain' });
    expect(resent.snapshot.context.passcode?.issuedAt).toBe(2);
    const sent = { channel: 'email' as const, sentTo: 'm***@example.co.uk', issuedAt: 1, expiresAt: 9 };
    const tooSoon = await run('byEmail', [...waiting, { type: 'RESEND' }], {
      passcodes: [{ sent: true, passcode: sent }, { sent: false, reason: 'tooSoon', nextAllowedAt: 900_001, last: sent }],
    });
    expect(tooSoon.at).toBe('verification.awaitingPasscode');
    expect(tooSoon.snapshot.context).toMatchObject({ problem: 'passcodeTooSoon', nextPasscodeAt: 900_001, passcode: sent });
    const limit = await run('byEmail', [...waiting, { type: 'RESEND' }], {
      passcodes: [{ sent: true, passcode: sent }, { sent: false, reason: 'dailyLimit', nextAllowedAt: 86_400_001 }],
    });
    expect(limit.snapshot.context).toMatchObject({ problem: 'passcodeDailyLimit', nextPasscodeAt: 86_400_001, passcode: sent });
    // Asked for again from the passcode question too.
    const fromQuestion = await run('byEmail', [...waiting, { type: 'CONTINUE' }, { type: 'RESEND' }]);
    expect(fromQuestion.at).toBe('verification.awaitingPasscode');
    expect(fromQuestion.calls.requestPasscode).toHaveLength(2);
  });

  it('a first passcode refused as too soon (one was just sent from another chat) waits for that one', async () => {
    const { at, snapshot } = await run('byEmail', [postcode('LS1 4AP'), pick('VAAA1'), email, location], {
      passcodes: [{ sent: false, reason: 'tooSoon', nextAllowedAt: 600_000 }],
    });
    expect(at).toBe('verification.awaitingPasscode');
    expect(snapshot.context).toMatchObject({ problem: 'passcodeTooSoon', nextPasscodeAt: 600_000 });
    expect(snapshot.context.passcode).toBeUndefined();
  });

  it('a passcode that cannot be sent is explained; a resend that cannot be sent keeps the wait', async () => {
    const waiting = [postcode('LS1 4AP'), pick('VAAA1'), email, location];
    expect((await run('byEmail', waiting, { failSend: true })).at).toBe('verification.cannotSendPasscode');
    expect((await run('byEmail', [...waiting, { type: 'BACK' }], { failSend: true })).at).toBe('verification.cqcLocationId');
    const resend = await run('byEmail', [...waiting, { type: 'RESEND' }], {
      passcodes: [{ sent: true, passcode: { channel: 'email', sentTo: 'm***@example.co.uk', issuedAt: 1, expiresAt: 9 } }, 'fail'],
    });
    expect(resend.at).toBe('verification.awaitingPasscode');
    expect(resend.snapshot.context).toMatchObject({ problem: 'serviceUnavailable', passcode: { issuedAt: 1 } });
  });

  it('details that do not verify are asked again, saying how many attempts are left', async () => {
    const { at, snapshot } = await run('contactId', [postcode('LS1 4AP'), pick('VAAA1'), location, contactId], { verify: [{ result: 'failed', failuresLeft: 3 }] });
    expect(at).toBe('verification.cqcLocationId');
    expect(snapshot.context).toMatchObject({ problem: 'notVerified', failuresLeft: 3 });
    // A passcode already sent is not sent again: the passcode is asked after the location ID.
    const again = await run('byEmail', [postcode('LS1 4AP'), pick('VAAA1'), email, location, passcode, location], { verify: [{ result: 'failed', failuresLeft: 4 }] });
    expect(again.at).toBe('verification.passcode');
    expect(again.calls.requestPasscode).toHaveLength(1);
  });

  it('too many failed attempts lock verification for the organisation', async () => {
    const { at, snapshot } = await run('contactId', [postcode('LS1 4AP'), pick('VAAA1'), location, contactId], { verify: [{ result: 'locked', lockedUntil: 123 }] });
    expect(at).toBe('verification.locked');
    expect(snapshot.context.lockedUntil).toBe(123);
  });

  it('"try again" once locked checks the lock: still locked, it says until when; lifted, it asks again', async () => {
    const locked = [postcode('LS1 4AP'), pick('VAAA1'), location, contactId];
    const verify: VerificationOutcome[] = [{ result: 'locked', lockedUntil: 123 }];
    const still = await run('contactId', [...locked, { type: 'CONTINUE' }], { verify, locks: [456] });
    expect(still.at).toBe('verification.locked');
    expect(still.snapshot.context.lockedUntil).toBe(456);
    const lifted = await run('contactId', [...locked, { type: 'CONTINUE' }], { verify, locks: [undefined] });
    expect(lifted.at).toBe('verification.cqcLocationId');
    expect(lifted.snapshot.context.lockedUntil).toBeUndefined();
    const down = await run('contactId', [...locked, { type: 'CONTINUE' }], { verify, failLockCheck: true });
    expect(down.at).toBe('verification.locked');
  });

  it('an expired passcode is explained and a new one can be requested, by email or by post, or not', async () => {
    const expired: VerificationOutcome[] = [{ result: 'expired', expiredAt: 42 }];
    const steps = [postcode('LS1 4AP'), pick('VAAA1'), location, passcode];
    const { at, snapshot } = await run('passcodeInHand', steps, { verify: expired });
    expect(at).toBe('verification.passcodeExpired');
    expect(snapshot.context.expiredAt).toBe(42);
    const byEmail = await run('passcodeInHand', [...steps, answer({ question: 'newPasscode', value: 'email' })], { verify: expired });
    expect(byEmail.calls.requestPasscode).toEqual([{ odsCode: 'VAAA1', kind: 'care', channel: 'email' }]);
    expect(byEmail.at).toBe('verification.awaitingPasscode');
    const byPost = await run('passcodeInHand', [...steps, answer({ question: 'newPasscode', value: 'post' })], { verify: expired });
    expect(byPost.calls.requestPasscode).toEqual([{ odsCode: 'VAAA1', kind: 'care', channel: 'post' }]);
    const no = await run('passcodeInHand', [...steps, answer({ question: 'newPasscode', value: 'no' })], { verify: expired });
    expect(no.at).toBe('verification.passcodeNotRenewed');
    expect((await run('passcodeInHand', [...steps, answer({ question: 'newPasscode', value: 'no' }), { type: 'BACK' }], { verify: expired })).at).toBe('verification.passcodeExpired');
  });

  it('a verification service failure re-asks instead of failing the conversation', async () => {
    const contact = await run('contactId', [postcode('LS1 4AP'), pick('VAAA1'), location, contactId], { failVerify: true });
    expect(contact.at).toBe('verification.contactId');
    expect(contact.snapshot.context.problem).toBe('serviceUnavailable');
    const code = await run('passcodeInHand', [postcode('LS1 4AP'), pick('VAAA1'), location, passcode], { failVerify: true });
    expect(code.at).toBe('verification.passcode');
  });

  it('going back from the secret returns to the location ID', async () => {
    expect((await run('contactId', [postcode('LS1 4AP'), pick('VAAA1'), location, { type: 'BACK' }])).at).toBe('verification.cqcLocationId');
    expect((await run('passcodeInHand', [postcode('LS1 4AP'), pick('VAAA1'), location, { type: 'BACK' }])).at).toBe('verification.cqcLocationId');
    expect((await run('contactId', [postcode('LS1 4AP'), pick('VAAA1'), { type: 'BACK' }])).at).toBe('organisation.choose');
  });

  describe('dental practices', () => {
    it('Route A: a practice the directory fully holds verifies like a care provider', async () => {
      const { at, snapshot } = await run('dentalContactId', [postcode('LS1 4AP'), pick('VDEN1'), location, contactId]);
      expect(at).toBe('town.town');
      expect(snapshot.context.verifiedBy).toBe('cqc-contact-id');
    });

    it('Route B: a passcode goes by post, then the CQC details held are shown to confirm', async () => {
      const { at, calls } = await run('dentalContactId', [postcode('LS1 4AP'), pick('VDEN2'), location]);
      expect(at).toBe('verification.awaitingPasscode');
      expect(calls.requestPasscode).toEqual([{ odsCode: 'VDEN2', kind: 'dental', channel: 'post' }]);
      const verified = await run('dentalContactId', [postcode('LS1 4AP'), pick('VDEN2'), location, passcode]);
      expect(verified.at).toBe('verification.confirmCqcDetails');
      expect(verified.calls.verify[0]).toMatchObject({ method: 'otp' });
      const confirmed = await run('dentalContactId', [postcode('LS1 4AP'), pick('VDEN2'), location, passcode, answer({ question: 'cqcDetailsCorrect', value: true })]);
      expect(confirmed.at).toBe('town.town');
      const rejected = await run('dentalContactId', [postcode('LS1 4AP'), pick('VDEN2'), location, passcode, answer({ question: 'cqcDetailsCorrect', value: false })]);
      expect(rejected.at).toBe('verification.cqcDetailsRejected');
      const back = await run('dentalContactId', [postcode('LS1 4AP'), pick('VDEN2'), location, passcode, answer({ question: 'cqcDetailsCorrect', value: false }), { type: 'BACK' }]);
      expect(back.at).toBe('verification.confirmCqcDetails');
    });

    it('Route B for a practice that chose email: no manager email asked, the passcode goes by post', async () => {
      const { at, calls } = await run('dentalByEmail', [postcode('LS1 4AP'), pick('VDEN2'), location]);
      expect(at).toBe('verification.awaitingPasscode');
      expect(calls.requestPasscode).toEqual([{ odsCode: 'VDEN2', kind: 'dental', channel: 'post' }]);
    });

    it('Route B never offers a new passcode by email', async () => {
      const steps = [postcode('LS1 4AP'), pick('VDEN2'), location, passcode, answer({ question: 'newPasscode', value: 'email' })] as RegistrationEvent[];
      const { at } = await run('dentalContactId', steps, { verify: [{ result: 'expired', expiredAt: 1 }] });
      expect(at).toBe('verification.passcodeExpired');
    });
  });

  it('a conversation from the first release waiting for its passcode, without the location ID, asks for it first', async () => {
    const stored = JSON.parse(readFileSync(path.join(__dirname, '../fault/fixtures/schema-v1/awaiting-passcode-post.json'), 'utf8'));
    const migrated = migrateRegistrationV1(stored.envelope.snapshot.children.flow.snapshot, INPUT)!;
    const told = await resume(migrated, [{ type: 'CONTINUE' }]);
    expect(told.at).toBe('verification.cqcLocationId');
    const pasted = await resume(migrated, [passcode]);
    expect(pasted.at).toBe('verification.cqcLocationId');
    expect(pasted.snapshot.context.problem).toBe('cqcLocationIdFirst');
    const carried = await resume(migrated, [passcode, location, passcode]);
    expect(carried.at).toBe('town.town');
  });

  describe('what the user said before the registration began (the start input)', () => {
    it('the kind is not asked, the postcode is looked up, and the organisation named there is taken', async () => {
      const { at, snapshot } = await run('contactId', [], { start: { kind: 'care', postcode: 'LS1 4AP', organisationName: 'Tees View' } });
      expect(at).toBe('verification.cqcLocationId');
      expect(snapshot.context.answers.organisationKind).toBe('care');
      expect(snapshot.context.organisation?.odsCode).toBe('VSTK1');
      expect(snapshot.context.notice).toEqual({ kind: 'organisationNamed' });
      expect(snapshot.context.start).toEqual({ kind: 'care' });
    });

    it('a name that is not one organisation of the list leaves the choice to the user', async () => {
      const { at } = await run('contactId', [], { start: { postcode: 'LS1 4AP', organisationName: 'Care Home' } });
      expect(at).toBe('organisation.choose');
    });

    it('the postcode is used once: back to the checks and on again asks for it', async () => {
      const { at } = await run('contactId', [{ type: 'BACK' }, { type: 'BACK' }, { type: 'CONTINUE' }], { start: { postcode: 'LS1 4AP' } });
      expect(at).toBe('organisation.postcode');
    });

    it('a hospice is told at once; the kind alone asks for the postcode; what cannot be trusted is ignored', async () => {
      expect((await run('contactId', [], { start: { kind: 'hospice' } })).at).toBe('checks.hospiceStop');
      const kindOnly = await run('contactId', [], { start: { kind: 'dental' } });
      expect(kindOnly.at).toBe('organisation.postcode');
      expect(kindOnly.snapshot.context.answers.organisationKind).toBe('dental');
      const odd = await run('contactId', [], { start: { kind: 'pharmacy', postcode: 42, organisationName: '' } });
      expect(odd.at).toBe('organisation.postcode');
      expect(odd.snapshot.context.start).toBeUndefined();
    });
  });

  it('every state and transition of organisation details and verification is taken by these tests', () => {
    const ours = (id: string) => /^registration\.(organisation|verification)\b/.test(id);
    const report = coverage.report();
    expect(report.states.missing.filter(ours)).toEqual([]);
    expect(report.transitions.missing.filter(ours)).toEqual([]);
  });
});
