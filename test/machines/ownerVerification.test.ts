import { createActor, setup, assign } from 'xstate';
import { createConversationMachine, flowSnapshot } from '../../machines/conversation';
import type { FlowSession } from '../../machines/flow';
import { OWNER_VERIFICATION_LASTS_MS, provideOwnerRequests } from '../../machines/ownerRequests';
import { SESSION, T0, TEAMS_SESSION, fakeServices, startRequests, verificationCoverage, verifiedAs } from './ownerRequestsDriver';

const minutes = 60_000;

describe('owner verification: who is asking (SPEC §3)', () => {
  afterAll(() => console.log(`coverage of owner verification: ${verificationCoverage.report().text}`));

  it('in Teams the signed-in address identifies the owner: no code is asked for', async () => {
    const flow = startRequests({}, { ...TEAMS_SESSION, start: { kind: 'siteAudit' } });
    await flow.settle();
    expect(flow.state).toBe('audit.list');
    expect(flow.calls.identifyPerson).toEqual([{ address: 'priya.raman@nhs.net' }]);
    expect(flow.calls.sendOwnerCode).toBeUndefined();
    expect(flow.context.identity).toEqual({ address: 'priya.raman@nhs.net', via: 'teamsSignIn', at: T0 });
    expect(flow.context.site?.site.odsCode).toBe('VLH01');
  });

  it('a Teams sign-in that is not an NHSmail account the directory knows is checked by code instead', async () => {
    const flow = startRequests({}, { ...TEAMS_SESSION, user: { name: 'X', email: 'someone@nhs.net', source: 'teams' }, start: { kind: 'leaver' } });
    await flow.settle();
    expect(flow.verification?.value).toBe('address');
    expect(flow.verification?.context.problem).toBe('teamsNotKnown');
    await verifiedAs(flow, 'sarah.hollis@nhs.net');
    expect(flow.context.identity?.via).toBe('emailCode');
    expect(flow.state).toBe('leaver.who');
  });

  it('an address outside Teams (or a Teams identity on another channel) gets a code; the right code verifies', async () => {
    const flow = startRequests({}, { ...SESSION, user: TEAMS_SESSION.user, start: { kind: 'leaver' } });
    await flow.settle();
    expect(flow.verification?.value).toBe('address');
    await flow.answer('ownerAddress', ' Sarah.Hollis@nhs.net ');
    expect(flow.calls.sendOwnerCode).toEqual([{ address: 'sarah.hollis@nhs.net' }]);
    expect(flow.verification?.value).toBe('code');
    expect(flow.verification?.context.codeSent).toBe('first');
    await flow.answer('ownerCode', '111111');
    expect(flow.verification?.context).toMatchObject({ problem: 'wrongCode', attemptsLeft: 4 });
    await flow.answer('ownerCode', '246810');
    expect(flow.state).toBe('leaver.who');
    expect(flow.context.identity).toEqual({ address: 'sarah.hollis@nhs.net', via: 'emailCode', at: T0 });
  });

  it('five wrong codes lock code entry; another address can be tried', async () => {
    const flow = startRequests({ check: [{ result: 'wrong', attemptsLeft: 0, lockedUntil: T0 + 86_400_000 }] }, { start: { kind: 'leaver' } });
    await flow.settle();
    await flow.answer('ownerAddress', 'sarah.hollis@nhs.net');
    await flow.answer('ownerCode', '000000');
    expect(flow.verification?.value).toBe('locked');
    expect(flow.verification?.context.lockedUntil).toBe(T0 + 86_400_000);
    await flow.send({ type: 'BACK' });
    expect(flow.verification?.value).toBe('address');
    await flow.answer('ownerAddress', 'priya.raman@nhs.net');
    expect(flow.verification?.value).toBe('code');
    expect(flow.verification?.context.lockedUntil).toBeUndefined();
  });

  it('a locked address, or the day’s codes used up, stops at "locked"; a new address from there gets a code', async () => {
    const flow = startRequests({ send: [{ sent: false, reason: 'dailyLimit', nextAllowedAt: T0 + 3_600_000 }, { sent: false, reason: 'locked', nextAllowedAt: T0 + 7_200_000 }] }, { start: { kind: 'leaver' } });
    await flow.settle();
    await flow.answer('ownerAddress', 'sarah.hollis@nhs.net');
    expect(flow.verification?.value).toBe('locked');
    expect(flow.verification?.context.dailyLimitUntil).toBe(T0 + 3_600_000);
    await flow.answer('ownerAddress', 'priya.raman@nhs.net');
    expect(flow.verification?.value).toBe('locked');
    expect(flow.verification?.context).toMatchObject({ lockedUntil: T0 + 7_200_000, dailyLimitUntil: undefined });
    await flow.answer('ownerAddress', 'gareth.lloyd@nhs.net');
    expect(flow.verification?.value).toBe('code');
  });

  it('expired, missing and locked codes; resending; too soon; another address at the code', async () => {
    const flow = startRequests(
      {
        check: [{ result: 'expired' }, { result: 'noCode' }, { result: 'locked', lockedUntil: T0 + 1000 }],
        send: [{ sent: true, expiresAt: T0 + 600_000 }, { sent: false, reason: 'tooSoon', nextAllowedAt: T0 + 120_000 }],
      },
      { start: { kind: 'leaver' } },
    );
    await flow.settle();
    await flow.answer('ownerAddress', 'sarah.hollis@nhs.net');
    await flow.answer('ownerCode', '123456');
    expect(flow.verification?.context.problem).toBe('codeExpired');
    await flow.answer('ownerCode', '123456');
    expect(flow.verification?.context.problem).toBe('noCode');
    await flow.send({ type: 'RESEND' });
    expect(flow.verification?.context).toMatchObject({ problem: 'codeTooSoon', code: { nextAllowedAt: T0 + 120_000 } });
    await flow.answer('ownerCode', '123456');
    expect(flow.verification?.value).toBe('locked');
    await flow.send({ type: 'BACK' });
    await flow.answer('ownerAddress', 'tom.okafor@nhs.net');
    expect(flow.verification?.value).toBe('code');
    expect(flow.verification?.context.codeSent).toBe('first');
    await flow.send({ type: 'RESEND' });
    expect(flow.verification?.context.codeSent).toBe('again');
    await flow.answer('ownerAddress', 'amy.pearce@nhs.net');
    expect(flow.verification?.context).toMatchObject({ address: 'amy.pearce@nhs.net', codeSent: 'first' });
    await flow.send({ type: 'BACK' });
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('choose');
  });

  it('services that fail are said, and nothing is lost: the code can be typed again, the lookup tried again', async () => {
    const flow = startRequests({ fail: { sendOwnerCode: 1, verifyOwnerCode: 1, identifyPerson: 1 } }, { start: { kind: 'leaver' } });
    await flow.settle();
    await flow.answer('ownerAddress', 'sarah.hollis@nhs.net');
    expect(flow.verification?.value).toBe('address');
    expect(flow.verification?.context.problem).toBe('serviceUnavailable');
    await flow.answer('ownerAddress', 'sarah.hollis@nhs.net');
    await flow.answer('ownerCode', '246810');
    expect(flow.verification?.value).toBe('code');
    expect(flow.verification?.context.problem).toBe('serviceUnavailable');
    await flow.answer('ownerCode', '246810');
    expect(flow.verification?.value).toBe('unavailable');
    await flow.send({ type: 'TRY_AGAIN' });
    expect(flow.state).toBe('leaver.who');
  });

  it('"back" from the directory being down leaves the verification', async () => {
    const flow = startRequests({ fail: { identifyPerson: true } }, { ...TEAMS_SESSION, start: { kind: 'leaver' } });
    await flow.settle();
    expect(flow.verification?.value).toBe('unavailable');
    await flow.send({ type: 'BACK' });
    expect(flow.state).toBe('choose');
  });

  it('a code-verified address the directory no longer has is asked for again', async () => {
    const flow = startRequests({ person: () => undefined }, { start: { kind: 'leaver' } });
    await flow.settle();
    await verifiedAs(flow, 'gone@nhs.net');
    expect(flow.verification?.value).toBe('address');
    expect(flow.verification?.context.problem).toBe('notAnAccount');
  });

  it('verified stays verified in the conversation for 8 hours: the session carries it to the next flow', async () => {
    const earlier = { address: 'sarah.hollis@nhs.net', via: 'emailCode' as const, at: T0 - 7 * 60 * minutes };
    const within = startRequests({}, { verifiedIdentity: earlier, start: { kind: 'siteAudit' } });
    await within.settle();
    expect(within.state).toBe('audit.list');
    expect(within.calls.sendOwnerCode).toBeUndefined();
    expect(within.context.identity).toEqual(earlier);
    const after = startRequests({}, { verifiedIdentity: { ...earlier, at: T0 - OWNER_VERIFICATION_LASTS_MS }, start: { kind: 'siteAudit' } });
    await after.settle();
    expect(after.state).toBe('verifying');
    expect(after.verification?.value).toBe('address');
  });

  it('the root machine keeps the proved identity in its session, and a flow started later is given it', async () => {
    const fake = fakeServices();
    const flow = provideOwnerRequests(fake.services, () => T0);
    const other = setup({ types: { input: {} as FlowSession, context: {} as { input: FlowSession } } }).createMachine({ id: 'other', context: ({ input }) => ({ input }) });
    let n = 0;
    const root = createConversationMachine([
      { id: 'ownerRequests', machine: flow },
      { id: 'other', machine: other },
    ]).provide({ actions: { newAttempt: assign({ attemptId: () => `attempt-${++n}` }) as never } });
    const actor = createActor(root, { input: SESSION }).start();
    actor.send({ type: 'START_FLOW', flow: 'ownerRequests', start: { kind: 'siteAudit' } });
    const toFlow = (question: string, value: unknown) => actor.send({ type: 'TO_FLOW', event: { type: 'ANSWER', answer: { question, value } } });
    const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
    toFlow('ownerAddress', 'priya.raman@nhs.net');
    await settle();
    toFlow('ownerCode', '246810');
    await settle();
    expect((actor.getSnapshot().context as { session: FlowSession }).session.verifiedIdentity).toEqual({ address: 'priya.raman@nhs.net', via: 'emailCode', at: T0 });
    actor.send({ type: 'MENU' });
    actor.send({ type: 'START_FLOW', flow: 'other' });
    expect((flowSnapshot(actor.getSnapshot())?.context as { input: FlowSession }).input.verifiedIdentity?.address).toBe('priya.raman@nhs.net');
  });
});
