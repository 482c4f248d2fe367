import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { exclusiveKey } from '../../adapters/nasRequests';
import * as records from '../../adapters/nasRequestRecords';
import { createRedisClient, waitUntilReady } from '../../adapters/redisConversationStore';
import { RedisNasRequests } from '../../adapters/redisNasRequests';
import { SCRIPTS } from '../../adapters/redisNasScripts';
import { RedisOneTimePasscodes } from '../../adapters/redisOneTimePasscodes';
import { RedisVerificationCodes } from '../../adapters/redisVerificationCodes';
import { fakeClock } from '../helpers/clock';
import { newOdsCode, registration } from '../helpers/nasRequests';
import { startRedis, TestRedis, uniquePrefix, deleteKeysWithPrefix } from '../helpers/redis';
import { slotProblems, startSlotOracle, watchCommands } from '../helpers/slots';

const DAY = 24 * 60 * 60 * 1000;

/**
 * Issue 12: every Lua script of the NAS requests, passcodes and verification codes touches one
 * Cluster slot, with all its keys passed in KEYS, and no command spans slots — checked on every
 * command Redis runs (MONITOR, scripts' inner commands included) with CLUSTER KEYSLOT.
 */
describe('Redis keys of NAS requests, passcodes and verification codes, as a Cluster sees them', () => {
  let redis: TestRedis;
  let client: Redis;
  let oracle: Awaited<ReturnType<typeof startSlotOracle>>;
  const prefix = uniquePrefix('slots');

  beforeAll(async () => {
    [redis, oracle] = await Promise.all([startRedis(), startSlotOracle()]);
    client = createRedisClient(redis.url);
    await waitUntilReady(client);
  }, 30_000);

  afterAll(async () => {
    await deleteKeysWithPrefix(client, prefix).catch(() => undefined);
    client?.disconnect();
    await Promise.all([redis?.stop(), oracle?.stop()]);
  });

  it('finds a script that spans slots (the check can fail)', async () => {
    const watch = await watchCommands(redis.url);
    await client.eval("redis.call('SET', KEYS[1], 1); redis.call('SET', KEYS[2], 1); return redis.call('GET', ARGV[1])", 2, `${prefix}{a}`, `${prefix}{b}`, `${prefix}{c}`);
    await client.del(`${prefix}{a}`, `${prefix}{b}`);
    await watch.stop();
    const report = await slotProblems(oracle.redis, watch.commands);
    expect(report.problems).toEqual([
      `script with keys ${prefix}{a}, ${prefix}{b} touches 3 slots: ${prefix}{a}, ${prefix}{b}, ${prefix}{c}`,
      `script with keys ${prefix}{a}, ${prefix}{b} touches keys not in KEYS: ${prefix}{c}`,
      `del touches 2 slots: ${prefix}{a}, ${prefix}{b}`,
    ]);
  });

  it('keeps every script to one slot through everything the stores do', async () => {
    const clock = fakeClock();
    const keyPrefix = `${prefix}run:`;
    const requests = new RedisNasRequests(client, { keyPrefix, now: clock.now });
    const passcodes = new RedisOneTimePasscodes(client, { keyPrefix, now: clock.now, hashCost: 1024 });
    const codes = new RedisVerificationCodes(client, { keyPrefix, now: clock.now, hashCost: 1024 });
    const watch = await watchCommands(redis.url);

    // NAS requests: submitted, repeated, in conflict; worked through every status; taken,
    // offered again, listed, deleted; a first-version request read, worked and migrated.
    const ods = newOdsCode();
    const input = registration(ods);
    const created = await requests.submit(input);
    await requests.submit(input);
    const conflict = await requests.submit(registration(ods));
    expect(conflict.outcome).toBe('conflict');
    await requests.pendingFor(exclusiveKey('registration', ods));
    await requests.forConversation(input.requester.conversationKey);
    const reference = created.outcome === 'created' ? created.request.reference : '';
    // A reference drawn twice (odds of 1 in 10^12) is drawn again.
    jest.spyOn(records, 'newReference').mockReturnValueOnce(reference);
    await requests.submit(registration(newOdsCode()));
    await requests.take('care', 'sam.nas@nhs.net');
    await requests.update(reference, { status: 'waitingForRequester', by: 'sam.nas@nhs.net', question: 'Which town?' });
    await requests.update(reference, { status: 'inProgress', by: 'requester', answer: 'Leeds' });
    await new RedisNasRequests(client, { keyPrefix, now: clock.now, reclaimAfterMs: 0 }).reclaim('care', 'alex.nas@nhs.net');
    await requests.take('care', 'alex.nas@nhs.net');
    await requests.update(reference, { status: 'done', by: 'alex.nas@nhs.net' });
    const windowed = { ...registration(newOdsCode()), exclusive: { key: exclusiveKey('passwordReset', 'jane@nhs.net'), windowMs: DAY } };
    const reset = await requests.submit(windowed);
    await requests.update(reset.outcome === 'created' ? reset.request.reference : '', { status: 'rejected', by: 'sam.nas@nhs.net', reason: 'test' });
    await requests.submit({ ...windowed, idempotencyKey: 'another attempt' });
    await client.hset(`${keyPrefix}nas:request:{REG-LEGACY22}`, {
      reference: 'REG-LEGACY22',
      type: 'registration',
      status: 'submitted',
      odsCode: 'VOLD1',
      conversationKey: 'conv-old',
      document: JSON.stringify({ details: registration('VOLD1').details, conversationReference: { channelId: 'msteams' } }),
      createdAt: clock.t,
      updatedAt: clock.t,
    });
    await client.set(`${keyPrefix}nas:pending-ods:{VOLD1}`, 'REG-LEGACY22');
    await client.xadd(`${keyPrefix}nas:requests`, '*', 'reference', 'REG-LEGACY22', 'type', 'registration');
    await requests.submit(registration('VOLD1'));
    await requests.list({ status: ['received', 'done'] }, { limit: 2 });
    await requests.update('REG-LEGACY22', { status: 'rejected', by: 'sam.nas@nhs.net', reason: 'old' });
    clock.advance(731 * DAY);
    const purged = await requests.purgeExpired();
    expect(purged.deleted.length).toBeGreaterThanOrEqual(3);

    // Passcodes: sent, refused, checked right and wrong, failures recorded, locked.
    const sent = await passcodes.issue(ods, { validForMs: 21 * DAY, channel: 'post' });
    await passcodes.issue(ods, { validForMs: 21 * DAY, channel: 'post' });
    await passcodes.verify(ods, sent.ok ? sent.code : 'AAAAAAAA');
    await passcodes.verify(ods, 'AAAAAAAA');
    await passcodes.recordFailure(ods);
    await passcodes.current(ods);
    await passcodes.lockedUntil(ods);

    // Verification codes: sent, refused, checked wrong until locked, then right.
    const code = await codes.issue('passwordReset', 'jane@nhs.net');
    await codes.issue('passwordReset', 'jane@nhs.net');
    for (let i = 0; i < 6; i++) await codes.verify('passwordReset', 'jane@nhs.net', '000000');
    await codes.verify('ownerVerification', 'jane@nhs.net', code.ok ? code.code : '123456');

    await watch.stop();
    const report = await slotProblems(oracle.redis, watch.commands);
    expect(report.problems).toEqual([]);
    // Every NAS script ran, and the inner commands were seen.
    const ran = new Set(watch.commands.filter((c) => c.args[0]?.toLowerCase() === 'evalsha' || c.args[0]?.toLowerCase() === 'eval').map((c) => c.args[1]));
    for (const [name, { lua }] of Object.entries(SCRIPTS)) {
      // EVALSHA names it by its SHA-1; an EVAL (after NOSCRIPT) shows it as MONITOR escapes it.
      const shown = lua.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
      expect([name, ran.has(createHash('sha1').update(lua).digest('hex')) || ran.has(shown)]).toEqual([name, true]);
    }
    expect(watch.commands.reduce((n, c) => n + c.inner.length, 0)).toBeGreaterThan(report.scripts);
    expect(report.scripts).toBeGreaterThan(30);
  }, 60_000);
});
