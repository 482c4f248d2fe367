import { randomBytes } from 'node:crypto';
import { EmbeddedAccountDirectory } from '../../adapters/embeddedAccountDirectory';
import { MemoryNasRequests } from '../../adapters/memoryNasRequests';
import { MemoryOutbox } from '../../adapters/memoryOutbox';
import { MemoryServiceEvents } from '../../adapters/memoryServiceEvents';
import { MemoryVerificationCodes } from '../../adapters/memoryVerificationCodes';
import type { NasRequestOf, NasRequests } from '../../adapters/nasRequests';
import type { Outbox } from '../../adapters/outbox';
import { RedisNasRequests } from '../../adapters/redisNasRequests';
import { RedisOutbox } from '../../adapters/redisOutbox';
import { RedisResetVouches } from '../../adapters/redisResetVouches';
import { RedisVerificationCodes } from '../../adapters/redisVerificationCodes';
import { MemoryResetVouches, type ResetVouches } from '../../adapters/resetVouches';
import type { VerificationCodes } from '../../adapters/verificationCodes';
import { createPasswordHelpServices, type PasswordHelpDeps } from '../../bot/flows/passwordHelpServices';
import type { PasswordHelpSession } from '../../machines/passwordHelp';
import { fakeClock, type FakeClock } from '../helpers/clock';
import { useTwoRedisClients } from '../helpers/redis';

/**
 * The password help's services with the real adapters: the shipped account directory and its
 * fixture accounts (README), codes, outbox, NAS requests and vouching requests — in memory, and
 * in Redis shared by two "processes".
 */
const MINUTE = 60_000;
const accounts = new EmbeddedAccountDirectory();
const SECRET = randomBytes(32);
const session = (over: Partial<PasswordHelpSession> = {}): PasswordHelpSession => ({
  channelId: 'emulator',
  conversationKey: `conv-${randomBytes(4).toString('hex')}`,
  conversationReference: { conversation: { id: 'c' } },
  ...over,
});

interface World {
  codes: VerificationCodes;
  outbox: Outbox;
  requests: NasRequests;
  vouches: ResetVouches;
}

function memoryWorld(clock: FakeClock): World {
  return {
    codes: new MemoryVerificationCodes({ now: clock.now, hashCost: 1024 }),
    outbox: new MemoryOutbox({ now: clock.now }),
    requests: new MemoryNasRequests({ now: clock.now }),
    vouches: new MemoryResetVouches({ now: clock.now }),
  };
}

function servicesFor(world: World, clock: FakeClock, extra: Partial<PasswordHelpDeps> = {}) {
  return createPasswordHelpServices({ accounts, ...world, secret: async () => SECRET, now: clock.now, ...extra });
}

async function codeTextedTo(outbox: Outbox, mobile: string): Promise<string> {
  const [latest] = (await outbox.latest(20)).filter((m) => m.channel === 'sms' && m.recipient === mobile);
  return /\b(\d{6})\b/.exec(latest?.body ?? '')?.[1] ?? '';
}

describe('password help services (memory)', () => {
  let clock: FakeClock;
  let world: World;
  let services: ReturnType<typeof servicesFor>;
  beforeEach(() => {
    clock = fakeClock(Date.UTC(2026, 11, 2, 10, 0));
    world = memoryWorld(clock);
    services = servicesFor(world, clock);
  });

  it('a code texted to the mobile on record (outbox), shown by its last 3 digits; the right code raises a request verified by mobile', async () => {
    const sent = await services.sendResetCode({ address: 'amy.pearce@nhs.net' });
    expect(sent).toEqual({ sent: true, ending: '033', issuedAt: clock.t, expiresAt: clock.t + 10 * MINUTE });
    const sms = (await world.outbox.latest(5))[0]!;
    expect(sms).toMatchObject({ channel: 'sms', recipient: '+447400000033', tags: { kind: 'passwordResetCode', account: 'amy.pearce@nhs.net' } });
    expect(sms.body).not.toMatch(/https?:|www\./);
    const code = await codeTextedTo(world.outbox, '+447400000033');
    await expect(services.verifyResetCode({ address: 'amy.pearce@nhs.net', code })).resolves.toEqual({ result: 'right' });
    const who = session();
    const result = await services.submitReset({ address: 'amy.pearce@nhs.net', attemptId: 'a1', session: who });
    expect(result).toEqual({ outcome: 'raised', request: { reference: expect.stringMatching(/^PWD-/), status: 'received', createdAt: clock.t }, mobileEnding: '033', queue: 'care' });
    if (result.outcome !== 'raised') throw new Error('not raised');
    const stored = (await world.requests.get(result.request.reference)) as NasRequestOf<'passwordReset'>;
    expect(stored).toMatchObject({
      kind: 'passwordReset',
      queue: 'care',
      odsCode: 'VLH01',
      details: { account: { address: 'amy.pearce@nhs.net', name: 'Amy Pearce', odsCode: 'VLH01' }, mobile: '+447400000033', verification: { verifiedBy: 'mobile', at: clock.t } },
      requester: { conversationKey: who.conversationKey, channelId: 'emulator' },
      idempotencyKey: 'a1',
    });
    // The same attempt again (a retried turn) is the same request.
    await expect(services.submitReset({ address: 'amy.pearce@nhs.net', attemptId: 'a1', session: who })).resolves.toEqual(result);
  });

  it('no mobile, or no account: the same answer, 3 digits that do not change, nothing sent, the same limits', async () => {
    const unknown = `nobody.${randomBytes(3).toString('hex')}@nhs.net`;
    for (const address of ['joseph.achebe@nhs.net', unknown]) {
      const first = await services.sendResetCode({ address });
      expect(first).toEqual({ sent: true, ending: expect.stringMatching(/^\d{3}$/), issuedAt: clock.t, expiresAt: clock.t + 10 * MINUTE });
      const again = await services.sendResetCode({ address });
      expect(again).toEqual({ sent: false, reason: 'tooSoon', nextAllowedAt: clock.t + 2 * MINUTE, ending: first.ending });
      // Another instance (same secret) says the same digits.
      const other = servicesFor(memoryWorld(clock), clock);
      await expect(other.sendResetCode({ address })).resolves.toMatchObject({ ending: first.ending });
      await expect(services.verifyResetCode({ address, code: '123456' })).resolves.toEqual({ result: 'wrong', attemptsLeft: 4 });
    }
    expect(await world.outbox.latest(10)).toEqual([]);
  });

  it('one reset request per account per 24 hours: a second attempt is told the first’s reference and status', async () => {
    const first = await services.submitReset({ address: 'amy.pearce@nhs.net', attemptId: 'a1', session: session() });
    clock.advance(3 * 60 * MINUTE);
    const second = await services.submitReset({ address: 'amy.pearce@nhs.net', attemptId: 'a2', session: session() });
    if (first.outcome !== 'raised') throw new Error('not raised');
    expect(second).toEqual({ outcome: 'alreadyRequested', existing: first.request, queue: 'care' });
    clock.advance(21 * 60 * MINUTE + 1);
    await expect(services.submitReset({ address: 'amy.pearce@nhs.net', attemptId: 'a3', session: session() })).resolves.toMatchObject({ outcome: 'alreadyRequested' });
  });

  it('locally hosted accounts go to their helpdesk, leavers are not reset; nothing is raised for either', async () => {
    await expect(services.submitReset({ address: 'david.price@nhs.net', attemptId: 'a', session: session() })).resolves.toEqual({
      outcome: 'hostedLocally',
      administrator: { kind: 'local', name: expect.stringContaining('Severn Vale'), helpdesk: expect.objectContaining({ phone: '0117 496 0732' }) },
    });
    await expect(services.submitReset({ address: 'kwame.oyelaran@nhs.net', attemptId: 'b', session: session() })).resolves.toEqual({ outcome: 'leaver', markedOn: '2026-11-20', queue: 'care' });
    await expect(services.whoAdministers({ address: 'amy.pearce@nhs.net' })).resolves.toEqual({ kind: 'nas', queue: 'care' });
    await expect(services.whoAdministers({ address: 'ruth.barnes@nhs.net' })).resolves.toMatchObject({ kind: 'local', name: expect.stringContaining('Minster Vale') });
  });

  it('"who unlocks it?" for an address that is not an account reads like an account NAS made: care or dental, the same every time and on every instance', async () => {
    const again = servicesFor(memoryWorld(clock), clock); // another instance: the same secret
    const queues: string[] = [];
    for (let i = 0; i < 30; i++) {
      const address = `no.such.person${i}@nhs.net`;
      const said = await services.whoAdministers({ address });
      expect(said).toEqual({ kind: 'nas', queue: expect.stringMatching(/^(care|dental)$/) });
      await expect(services.whoAdministers({ address: address.toUpperCase() })).resolves.toEqual(said);
      await expect(again.whoAdministers({ address })).resolves.toEqual(said);
      queues.push((said as { queue: string }).queue);
    }
    // Both teams are named, so neither one gives an address away as not being an account.
    expect(new Set(queues)).toEqual(new Set(['care', 'dental']));
    expect(queues.filter((q) => q === 'dental').length).toBeGreaterThan(3);
    expect(queues.filter((q) => q === 'care').length).toBeGreaterThan(10);
  });

  it('no mobile: both owners emailed a code without a link; the yes raises a request verified by the owner; the requester hears it', async () => {
    const told: unknown[] = [];
    const events = new MemoryServiceEvents({ now: clock.now });
    services = servicesFor(world, clock, { events, tellRequester: async (vouch, status) => void told.push({ id: vouch.id, status }) });
    const requester = session({ channelId: 'webchat' });
    const asked = await services.askOwner({ address: 'Joseph.Achebe@nhs.net', mobile: '+447400123456', attemptId: 'j1', session: requester });
    expect(asked).toEqual({ vouchId: expect.any(String), askedAt: clock.t, expiresAt: clock.t + 72 * 60 * MINUTE });
    const emails = (await world.outbox.latest(10)).filter((m) => m.channel === 'email');
    expect(emails.map((m) => m.recipient).sort()).toEqual(['gareth.lloyd@nhs.net', 'priya.raman@nhs.net']);
    const email = emails.find((m) => m.recipient === 'priya.raman@nhs.net')!;
    expect(email.subject).toBe('Please confirm a password reset for Joseph Achebe');
    expect(email.body).toContain('07400 123456');
    expect(email.body).not.toMatch(/https?:|www\./);
    const code = /vouch ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})/.exec(email.body)![1]!;

    await expect(services.vouchStatus({ vouchId: asked.vouchId })).resolves.toEqual({ status: 'waiting', expiresAt: asked.expiresAt });
    const owner = session({ channelId: 'msteams', user: { email: 'Priya.Raman@nhs.net', source: 'teams' } });
    await expect(services.findVouch({ code, session: owner })).resolves.toEqual({
      found: true,
      question: { requesterName: 'Joseph Achebe', address: 'joseph.achebe@nhs.net', organisationName: expect.stringContaining('Larkspur'), mobile: '+447400123456', askedAt: clock.t, expiresAt: asked.expiresAt },
    });
    // Someone else signed in to Teams with Priya's code is not Priya.
    const impostor = session({ channelId: 'msteams', user: { email: 'amy.pearce@nhs.net', source: 'teams' } });
    await expect(services.findVouch({ code, session: impostor })).resolves.toEqual({ found: false, reason: 'notAnOwner' });
    await expect(services.answerVouch({ code, answer: 'yes', session: impostor })).resolves.toEqual({ outcome: 'notFound' });

    clock.advance(MINUTE);
    const yes = await services.answerVouch({ code: code.toLowerCase().replace(/-/g, ' '), answer: 'yes', session: owner });
    expect(yes).toMatchObject({ outcome: 'recorded', answer: 'yes', result: { outcome: 'raised', mobileEnding: '456', queue: 'care' } });
    if (yes.outcome !== 'recorded' || yes.answer !== 'yes' || yes.result.outcome !== 'raised') throw new Error('not raised');
    const stored = (await world.requests.get(yes.result.request.reference)) as NasRequestOf<'passwordReset'>;
    expect(stored.details).toEqual({
      account: { address: 'joseph.achebe@nhs.net', name: 'Joseph Achebe', odsCode: 'VLH01' },
      mobile: '+447400123456',
      verification: { verifiedBy: 'owner', at: clock.t, owner: { address: 'priya.raman@nhs.net', name: 'Priya Raman' }, answer: 'yes', askedAt: clock.t - MINUTE, via: 'teams' },
    });
    expect(stored.requester).toMatchObject({ conversationKey: requester.conversationKey, channelId: 'webchat' });
    expect(told).toEqual([{ id: asked.vouchId, status: { status: 'vouched', at: clock.t, result: yes.result } }]);
    await expect(services.vouchStatus({ vouchId: asked.vouchId })).resolves.toEqual({ status: 'vouched', at: clock.t, result: yes.result });

    // The other owner's code is now closed, with whose answer it was.
    const garethCode = /vouch ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})/.exec(emails.find((m) => m.recipient === 'gareth.lloyd@nhs.net')!.body)![1]!;
    await expect(services.findVouch({ code: garethCode, session: session() })).resolves.toEqual({ found: false, reason: 'alreadyAnswered', answer: 'yes', byYou: false });
    await expect(services.answerVouch({ code: garethCode, answer: 'no', session: session() })).resolves.toEqual({ outcome: 'alreadyAnswered', answer: 'yes', byYou: false });
    // Priya pressing yes again (a retried turn) gets the same request back, and is counted once.
    await expect(services.answerVouch({ code, answer: 'yes', session: owner })).resolves.toEqual(yes);
    const counted = (await events.counts({ from: '2026-12-02', to: '2026-12-02' })).counters.filter((c) => c.name === 'resetVerified');
    expect(counted).toEqual([expect.objectContaining({ detail: 'owner', flow: 'passwordHelp', channel: 'webchat', count: 1 })]);
  });

  it('an owner’s no: nothing is raised, and the requester is told it was refused', async () => {
    const asked = await services.askOwner({ address: 'joseph.achebe@nhs.net', mobile: '+447400123456', attemptId: 'j1', session: session() });
    const email = (await world.outbox.latest(10)).find((m) => m.recipient === 'gareth.lloyd@nhs.net')!;
    const code = /vouch ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})/.exec(email.body)![1]!;
    await expect(services.answerVouch({ code, answer: 'no', session: session() })).resolves.toEqual({ outcome: 'recorded', answer: 'no' });
    await expect(services.vouchStatus({ vouchId: asked.vouchId })).resolves.toEqual({ status: 'refused', at: clock.t });
    await expect(world.requests.pendingFor('passwordReset:JOSEPH.ACHEBE@NHS.NET')).resolves.toBeUndefined();
  });

  it('an unknown address, or one whose organisation has no other owner: the same answer, nobody emailed; it lapses after 72 hours', async () => {
    const unknown = await services.askOwner({ address: 'nobody.here@nhs.net', mobile: '+447400123456', attemptId: 'u', session: session() });
    expect(unknown).toEqual({ vouchId: expect.any(String), askedAt: clock.t, expiresAt: clock.t + 72 * 60 * MINUTE });
    // Sarah Hollis is the only owner of Hollybank: nobody else can vouch for her.
    const onlyOwner = await services.askOwner({ address: 'sarah.hollis@nhs.net', mobile: '+447400123456', attemptId: 's', session: session() });
    expect(Object.keys(onlyOwner).sort()).toEqual(Object.keys(unknown).sort());
    expect(await world.outbox.latest(10)).toEqual([]);
    clock.advance(72 * 60 * MINUTE);
    await expect(services.vouchStatus({ vouchId: unknown.vouchId })).resolves.toEqual({ status: 'expired' });
    await expect(services.vouchStatus({ vouchId: 'NOSUCHVOUCH23456' })).resolves.toEqual({ status: 'expired' });
  });

  it('asked again while the owners have not answered: they are not emailed twice', async () => {
    const first = await services.askOwner({ address: 'joseph.achebe@nhs.net', mobile: '+447400123456', attemptId: 'j1', session: session() });
    const second = await services.askOwner({ address: 'joseph.achebe@nhs.net', mobile: '+447400123456', attemptId: 'j2', session: session() });
    expect(second.vouchId).toBe(first.vouchId);
    expect((await world.outbox.latest(10)).filter((m) => m.channel === 'email')).toHaveLength(2);
  });

  it('an owner with a Teams chat is asked there; one whose chat cannot be reached is emailed', async () => {
    const delivered: string[] = [];
    services = servicesFor(world, clock, {
      ownerChat: async (owner) => (owner.address === 'priya.raman@nhs.net' || owner.address === 'gareth.lloyd@nhs.net' ? { chatOf: owner.address } : undefined),
      askInTeams: async (chat, owner) => {
        if (owner.address === 'gareth.lloyd@nhs.net') return false;
        delivered.push((chat as { chatOf: string }).chatOf);
        return true;
      },
    });
    await services.askOwner({ address: 'joseph.achebe@nhs.net', mobile: '+447400123456', attemptId: 'j1', session: session() });
    expect(delivered).toEqual(['priya.raman@nhs.net']);
    expect((await world.outbox.latest(10)).map((m) => m.recipient)).toEqual(['gareth.lloyd@nhs.net']);
  });
});

describe('password help services in Redis, two processes', () => {
  const shared = useTwoRedisClients('pwservices');

  it('five wrong codes lock code entry for the account, whichever process they come through', async () => {
    const clock = fakeClock(Date.UTC(2026, 11, 2, 10, 0));
    const keyPrefix = shared.newPrefix();
    const worldFor = (client: typeof shared.clientA): World => ({
      codes: new RedisVerificationCodes(client, { keyPrefix, now: clock.now, hashCost: 1024 }),
      outbox: new RedisOutbox(client, { keyPrefix, now: clock.now }),
      requests: new RedisNasRequests(client, { keyPrefix, now: clock.now }),
      vouches: new RedisResetVouches(client, { keyPrefix, now: clock.now }),
    });
    const [a, b] = [worldFor(shared.clientA), worldFor(shared.clientB)];
    const one = servicesFor(a, clock);
    const two = servicesFor(b, clock);
    await one.sendResetCode({ address: 'amy.pearce@nhs.net' });
    const code = await codeTextedTo(b.outbox, '+447400000033');
    const wrong = code === '000000' ? '111111' : '000000';
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await (i % 2 ? two : one).verifyResetCode({ address: 'amy.pearce@nhs.net', code: wrong }));
    expect(results.map((r) => (r.result === 'wrong' ? r.attemptsLeft : r.result))).toEqual([4, 3, 2, 1, 0]);
    await expect(two.verifyResetCode({ address: 'Amy.Pearce@nhs.net', code })).resolves.toEqual({ result: 'locked', lockedUntil: clock.t + 24 * 60 * MINUTE });
    await expect(one.sendResetCode({ address: 'amy.pearce@nhs.net' })).resolves.toMatchObject({ sent: false, reason: 'locked' });
  });
});
