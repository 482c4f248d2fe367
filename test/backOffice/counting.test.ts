import { MemoryNasRequests } from '../../adapters/memoryNasRequests';
import { MemoryOneTimePasscodes } from '../../adapters/memoryOneTimePasscodes';
import { MemoryServiceEvents } from '../../adapters/memoryServiceEvents';
import { MemoryVerificationCodes } from '../../adapters/memoryVerificationCodes';
import { exclusiveKey, NasSubmission, PasswordResetVerification } from '../../adapters/nasRequests';
import { londonDay, ServiceEventCounts, ServiceEvents } from '../../adapters/serviceEvents';
import { countingPasscodes, countingRequests, countingVerificationCodes } from '../../bot/backOffice/counting';
import { fakeClock } from '../helpers/clock';

const DAY = 24 * 60 * 60 * 1000;

async function countsOf(events: ServiceEvents, at: number): Promise<Record<string, number>> {
  const counts: ServiceEventCounts = await events.counts({ from: londonDay(at), to: londonDay(at) });
  const out: Record<string, number> = {};
  for (const c of counts.counters) {
    const key = [c.name, c.kind, c.detail, c.channel].filter(Boolean).join(' ');
    out[key] = (out[key] ?? 0) + c.count;
  }
  return out;
}

function registration(odsCode: string, idempotencyKey: string): NasSubmission<'registration'> {
  return {
    kind: 'registration',
    queue: 'care',
    odsCode,
    idempotencyKey,
    details: {
      organisation: { kind: 'care', name: 'Rose Court', odsCode, cqcLocationId: '1-1002733005' },
      town: 'leeds',
      sharedMailboxAddress: `care.leeds.rosecourt${odsCode.toLowerCase()}@nhs.net`,
      members: [],
      verifiedBy: 'otp',
    },
    requester: { conversationKey: 'k', conversationReference: null, channelId: 'webchat' },
    exclusive: { key: exclusiveKey('registration', odsCode) },
  };
}

describe('adapters that count what happens through them', () => {
  it('count a passcode issued by email or post, not one refused; a lock-out when the last try is used up', async () => {
    const clock = fakeClock();
    const events = new MemoryServiceEvents({ now: clock.now });
    const passcodes = countingPasscodes(new MemoryOneTimePasscodes({ now: clock.now, hashCost: 1024 }), events);
    expect((await passcodes.issue('VAB1', { validForMs: DAY, channel: 'email' })).ok).toBe(true);
    expect((await passcodes.issue('VAB1', { validForMs: DAY, channel: 'post' })).ok).toBe(false); // too soon
    clock.advance(20 * 60 * 1000);
    expect((await passcodes.issue('VAB1', { validForMs: DAY, channel: 'post' })).ok).toBe(true);
    for (let i = 0; i < 3; i++) await passcodes.verify('VAB1', 'WRONGXXX');
    await passcodes.recordFailure('VAB1');
    expect(await countsOf(events, clock.t)).toEqual({ 'passcodeRequested email': 1, 'passcodeRequested post': 1 });
    const fifth = await passcodes.verify('VAB1', 'WRONGXXX');
    expect(fifth).toMatchObject({ ok: false, failuresLeft: 0 });
    expect(await countsOf(events, clock.t)).toMatchObject({ 'lockedOut registration': 1 });
    expect(await passcodes.lockedUntil('VAB1')).toBeGreaterThan(clock.t);
    // Another organisation locked by a recorded failure (a wrong CQC contact ID).
    for (let i = 0; i < 4; i++) await passcodes.recordFailure('VCD2');
    expect((await passcodes.recordFailure('VCD2')).locked).toBe(true);
    expect(await countsOf(events, clock.t)).toMatchObject({ 'lockedOut registration': 2 });
  });

  it('count a lock-out of code entry, not a right or a wrong code', async () => {
    const clock = fakeClock();
    const events = new MemoryServiceEvents({ now: clock.now });
    const codes = countingVerificationCodes(new MemoryVerificationCodes({ now: clock.now, hashCost: 1024 }), events);
    const issued = await codes.issue('passwordReset', 'amy.pearce@nhs.net');
    if (!issued.ok) throw new Error('not issued');
    expect(await codes.verify('passwordReset', 'amy.pearce@nhs.net', issued.code)).toEqual({ ok: true });
    const owner = await codes.issue('ownerVerification', 'priya.raman@nhs.net');
    if (!owner.ok) throw new Error('not issued');
    await codes.verify('ownerVerification', 'priya.raman@nhs.net', owner.code);
    clock.advance(3 * 60 * 1000);
    const again = await codes.issue('passwordReset', 'amy.pearce@nhs.net');
    if (!again.ok) throw new Error('not issued');
    const wrong = again.code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) await codes.verify('passwordReset', 'amy.pearce@nhs.net', wrong);
    expect(await countsOf(events, clock.t)).toEqual({ 'lockedOut passwordReset': 1 });
  });

  it('count a request made: not a repeat, not a kept duplicate', async () => {
    const clock = fakeClock();
    const events = new MemoryServiceEvents({ now: clock.now });
    const requests = countingRequests(new MemoryNasRequests({ now: clock.now }), events);
    const first = await requests.submit(registration('VAB1', 'attempt-1'));
    expect(first.outcome).toBe('created');
    expect((await requests.submit(registration('VAB1', 'attempt-1'))).outcome).toBe('repeated');
    expect((await requests.submit(registration('VAB1', 'attempt-2'))).outcome).toBe('conflict');
    expect(await countsOf(events, clock.t)).toEqual({ 'requestCreated registration webchat': 1 });
    // Everything else is the store's own.
    expect(await requests.get(first.outcome === 'created' ? first.request.reference : '')).toMatchObject({ status: 'received' });
  });

  it('count a password reset request with how it was verified: by mobile, or by a shared mailbox owner', async () => {
    const clock = fakeClock();
    const events = new MemoryServiceEvents({ now: clock.now });
    const requests = countingRequests(new MemoryNasRequests({ now: clock.now }), events);
    const reset = (address: string, verification: PasswordResetVerification): NasSubmission<'passwordReset'> => ({
      kind: 'passwordReset',
      queue: 'care',
      odsCode: 'VLH01',
      idempotencyKey: `reset:${address}`,
      details: { account: { address, name: 'Amy Pearce', odsCode: 'VLH01' }, mobile: '+447400000033', verification },
      requester: { conversationKey: 'k', conversationReference: null, channelId: 'msteams' },
      exclusive: { key: exclusiveKey('passwordReset', address), windowMs: DAY },
    });
    await requests.submit(reset('amy.pearce@nhs.net', { verifiedBy: 'mobile', at: clock.t }));
    await requests.submit(
      reset('joseph.achebe@nhs.net', {
        verifiedBy: 'owner',
        at: clock.t,
        owner: { address: 'priya.raman@nhs.net', name: 'Priya Raman' },
        answer: 'yes',
        askedAt: clock.t - 1000,
        via: 'teams',
      }),
    );
    expect(await countsOf(events, clock.t)).toEqual({
      'requestCreated passwordReset msteams': 2,
      'resetVerified mobile msteams': 1,
      'resetVerified owner msteams': 1,
    });
  });

  it('count a request done, with how long it took from being made, and one rejected; not a refused or stale change', async () => {
    const clock = fakeClock();
    const events = new MemoryServiceEvents({ now: clock.now });
    const requests = countingRequests(new MemoryNasRequests({ now: clock.now }), events);
    const made = await requests.submit(registration('VAB1', 'attempt-1'));
    const other = await requests.submit(registration('VCD2', 'attempt-2'));
    if (made.outcome !== 'created' || other.outcome !== 'created') throw new Error('not created');
    const ref = made.request.reference;
    clock.advance(45 * 60 * 1000);
    expect((await requests.update(ref, { status: 'inProgress', by: 'sam' })).outcome).toBe('updated');
    expect((await requests.update(ref, { status: 'done', by: 'sam' }, 1)).outcome).toBe('stale');
    expect((await requests.update(ref, { status: 'received', by: 'sam' })).outcome).toBe('invalid');
    clock.advance(75 * 60 * 1000);
    expect((await requests.update(ref, { status: 'done', by: 'sam' })).outcome).toBe('updated');
    expect((await requests.update(other.request.reference, { status: 'rejected', by: 'sam', reason: 'not a care provider' })).outcome).toBe('updated');
    expect(await countsOf(events, clock.t)).toEqual({
      'requestCreated registration webchat': 2,
      'requestDone registration': 1,
      'requestRejected registration': 1,
    });
    const counts = await events.counts({ from: londonDay(clock.t), to: londonDay(clock.t) });
    expect(counts.durations).toEqual([{ day: londonDay(clock.t), kind: 'registration', minutes: 120, count: 1 }]);
  });
});
