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
import { ScriptRegistry, recordScripts, scriptsNotRun, slotProblems, startSlotOracle, watchCommands } from '../helpers/slots';
import { describeContractsOn } from '../scale/topologyContracts';

const DAY = 24 * 60 * 60 * 1000;

/**
 * Every Lua script touches one Cluster slot, with all its keys passed in KEYS, and no command
 * spans slots — checked on every command Redis runs (MONITOR, scripts' inner commands included)
 * with CLUSTER KEYSLOT: through every Redis adapter's whole contract suite, and through the
 * NAS requests', passcodes' and verification codes' rarer paths (first-version data, a reference
 * drawn twice, purges).
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
    const nas: ScriptRegistry = new Map(Object.entries(SCRIPTS).map(([name, { lua }]) => [name, lua]));
    expect(scriptsNotRun(nas, watch.commands)).toEqual([]);
    expect(watch.commands.reduce((n, c) => n + c.inner.length, 0)).toBeGreaterThan(report.scripts);
    expect(report.scripts).toBeGreaterThan(30);
  }, 60_000);
});

describe('every Redis adapter, through its whole contract suite, as a Cluster sees it', () => {
  let redis: TestRedis;
  let a: Redis;
  let b: Redis;
  let oracle: Awaited<ReturnType<typeof startSlotOracle>>;
  let watch: Awaited<ReturnType<typeof watchCommands>>;
  const defined: ScriptRegistry = new Map();

  beforeAll(async () => {
    [redis, oracle] = await Promise.all([startRedis(), startSlotOracle()]);
    [a, b] = [createRedisClient(redis.url), createRedisClient(redis.url)];
    await Promise.all([waitUntilReady(a), waitUntilReady(b)]);
    for (const client of [a, b]) recordScripts(client, defined);
    watch = await watchCommands(redis.url);
  }, 30_000);

  afterAll(async () => {
    await watch?.stop().catch(() => undefined);
    if (a) await deleteKeysWithPrefix(a, written).catch(() => undefined);
    for (const client of [a, b]) client?.disconnect();
    await Promise.all([redis?.stop(), oracle?.stop()]);
  });

  const written = describeContractsOn('one Redis, every command watched', () => [a, b]);

  it('ran every script in one slot with all its keys in KEYS, and no command across slots', async () => {
    await watch.stop();
    const report = await slotProblems(oracle.redis, watch.commands);
    expect(report.problems).toEqual([]);
    // Every script of every adapter ran, so each was checked (the NAS scripts' rarer paths, a
    // reference drawn twice among them, are run by the test above).
    expect(defined.size).toBeGreaterThan(30);
    expect(scriptsNotRun(defined, watch.commands).filter((name) => !(name in SCRIPTS))).toEqual([]);
    expect(report.scripts).toBeGreaterThan(500);
  }, 120_000);
});
