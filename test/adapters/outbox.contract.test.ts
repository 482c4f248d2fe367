import { randomUUID } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { StoreUnavailableError } from '../../adapters/conversationStore';
import { MemoryOutbox, readOutboxJournal } from '../../adapters/memoryOutbox';
import { Outbox, OutboxMessage, REDACTED_BODY } from '../../adapters/outbox';
import { createRedisClient, waitUntilReady } from '../../adapters/redisConversationStore';
import { RedisOutbox } from '../../adapters/redisOutbox';
import { formatMessage, main, parseArgs } from '../../scripts/outbox';
import { deleteKeysWithPrefix, startRedis, TestRedis, uniquePrefix, useTwoRedisClients } from '../helpers/redis';
import { FakeClock, fakeClock } from '../helpers/clock';

const DAY = 24 * 60 * 60 * 1000;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);


const passcodeLetter = (n: number): Omit<OutboxMessage, 'id' | 'createdAt'> => ({
  channel: 'email',
  recipient: `manager${n}@example.org`,
  subject: 'Your NHSmail registration passcode',
  body: `Your passcode is ABCD${n}FGH.\nIt is valid for 21 days.`,
  tags: { kind: 'otp', odsCode: `VABC${n}` },
});

/**
 * What every Outbox must do. `open` returns two instances over the same storage (for Redis, two
 * outboxes on two clients; in memory, the one outbox twice), empty.
 */
export function describeOutboxContract(
  name: string,
  open: (clock: FakeClock, options?: { maxLength?: number }) => [Outbox, Outbox],
): void {
  describe(`${name} (Outbox contract)`, () => {
    let clock: FakeClock;
    let a: Outbox;
    let b: Outbox;

    beforeEach(() => {
      clock = fakeClock();
      [a, b] = open(clock);
    });

    it('records a message with an id and the time, and hands it back as stored', async () => {
      const sent = await a.send(passcodeLetter(1));
      expect(sent).toEqual({ ...passcodeLetter(1), id: expect.any(String), createdAt: clock.t });
      await expect(b.latest(10)).resolves.toEqual([sent]);
    });

    it('keeps optional fields optional', async () => {
      const sent = await a.send({ channel: 'sms', recipient: '+447700900123', body: 'Your temporary password is on its way.' });
      expect(sent).toEqual({
        channel: 'sms',
        recipient: '+447700900123',
        body: 'Your temporary password is on its way.',
        id: expect.any(String),
        createdAt: clock.t,
      });
      const [stored] = await b.latest(1);
      expect(stored).toEqual(sent);
      expect(Object.keys(stored).sort()).toEqual(['body', 'channel', 'createdAt', 'id', 'recipient']);
    });

    it('lists the latest messages newest first, from any instance, up to the limit', async () => {
      const sent: OutboxMessage[] = [];
      for (const i of range(5)) {
        sent.push(await (i % 2 ? a : b).send(passcodeLetter(i)));
        clock.advance(1_000);
      }
      expect(new Set(sent.map((m) => m.id)).size).toBe(5);
      const newestFirst = [...sent].reverse();
      await expect(a.latest(10)).resolves.toEqual(newestFirst);
      await expect(b.latest(5)).resolves.toEqual(newestFirst);
      await expect(a.latest(2)).resolves.toEqual(newestFirst.slice(0, 2));
      await expect(a.latest(0)).resolves.toEqual([]);
      await expect(a.latest(-3)).resolves.toEqual([]);
    });

    it('answers an empty list when nothing was sent', async () => {
      await expect(a.latest(20)).resolves.toEqual([]);
    });

    it('records a message once per dedupe key and hands back the first', async () => {
      const first = await a.send(passcodeLetter(1), { dedupeKey: 'otp:VABC1:turn-7' });
      clock.advance(5_000);
      const again = await b.send({ ...passcodeLetter(1), body: 'a retried turn, different text' }, { dedupeKey: 'otp:VABC1:turn-7' });
      expect(again).toEqual(first);
      const other = await a.send(passcodeLetter(2), { dedupeKey: 'otp:VABC2:turn-1' });
      const plain = await a.send(passcodeLetter(3));
      const plainAgain = await a.send(passcodeLetter(3));
      expect(plainAgain.id).not.toBe(plain.id);
      await expect(a.latest(10)).resolves.toEqual([plainAgain, plain, other, first]);
    });

    it('records one message when the same dedupe key is sent concurrently from two instances', async () => {
      const results = await Promise.all(
        range(10).map((i) => (i % 2 ? a : b).send(passcodeLetter(i), { dedupeKey: 'welcome:REG-ABCDEFGH' })),
      );
      const ids = new Set(results.map((m) => m.id));
      expect(ids.size).toBe(1);
      const latest = await a.latest(20);
      expect(latest).toHaveLength(1);
      expect(results.every((m) => JSON.stringify(m) === JSON.stringify(latest[0]))).toBe(true);
    });

    it('forgets a dedupe key after 30 days', async () => {
      const first = await a.send(passcodeLetter(1), { dedupeKey: 'k' });
      const firstRecord = { ...first, recipient: 'm***@example.org', body: REDACTED_BODY, redacted: true };
      clock.advance(30 * DAY - 1);
      await expect(b.send(passcodeLetter(2), { dedupeKey: 'k' })).resolves.toEqual(firstRecord);
      clock.advance(1);
      const second = await b.send(passcodeLetter(2), { dedupeKey: 'k' });
      expect(second.id).not.toBe(first.id);
      expect(second.createdAt).toBe(clock.t);
      await expect(a.send(passcodeLetter(3), { dedupeKey: 'k' })).resolves.toEqual(second);
      await expect(a.latest(10)).resolves.toEqual([second, firstRecord]);
    });

    it('keeps a message whole for the retention (3 days), then only a redacted record', async () => {
      const email = await a.send(passcodeLetter(1));
      const sms = await a.send({ channel: 'sms', recipient: '+447400123456', body: 'Your code is 482913.' });
      const letter = await a.send({ channel: 'letter', recipient: 'Hollybank Care Home, 1 High St, Norwich NR2 2PA', body: 'Passcode WXYZ2345' });
      clock.advance(3 * DAY - 1);
      await expect(b.latest(3)).resolves.toEqual([letter, sms, email]);
      clock.advance(1);
      const after = await b.latest(3);
      expect(after).toEqual([
        { id: letter.id, channel: 'letter', recipient: '(postal address)', body: REDACTED_BODY, createdAt: letter.createdAt, redacted: true },
        { id: sms.id, channel: 'sms', recipient: '*** ***456', body: REDACTED_BODY, createdAt: sms.createdAt, redacted: true },
        { ...email, recipient: 'm***@example.org', body: REDACTED_BODY, redacted: true },
      ]);
      expect(JSON.stringify(await a.latest(10))).not.toMatch(/ABCD1FGH|482913|WXYZ2345|manager1@|7400123456|High St/);
    });

    it('hands back the redacted record for a dedupe key used before the retention ran out, and records nothing new', async () => {
      const first = await a.send(passcodeLetter(1), { dedupeKey: 'otp:VABC1:1' });
      clock.advance(4 * DAY);
      const again = await b.send(passcodeLetter(1), { dedupeKey: 'otp:VABC1:1' });
      expect(again).toEqual({ ...first, recipient: 'm***@example.org', body: REDACTED_BODY, redacted: true });
      await expect(a.latest(10)).resolves.toHaveLength(1);
    });

    it('keeps at least the newest maxLength messages', async () => {
      const [small] = open(clock, { maxLength: 50 });
      const sent: OutboxMessage[] = [];
      for (const i of range(120)) sent.push(await small.send(passcodeLetter(i)));
      const latest = await small.latest(50);
      expect(latest).toEqual(sent.slice(-50).reverse());
    });
  });
}

describeOutboxContract('MemoryOutbox', (clock, options) => {
  const outbox = new MemoryOutbox({ now: clock.now, ...options });
  return [outbox, outbox];
});

describe('MemoryOutbox', () => {
  it('journals for npm run outbox only what is retained: older lines are rewritten as redacted records, the file is private', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'outbox-'));
    const journal = join(dir, 'data', 'outbox.jsonl');
    const clock = fakeClock();
    const outbox = new MemoryOutbox({ now: clock.now, journal });
    await outbox.send(passcodeLetter(1));
    expect((await readOutboxJournal(journal, 5, clock.t))[0]!.body).toContain('ABCD1FGH');
    // Read later by another process: past the retention it shows the record only.
    expect((await readOutboxJournal(journal, 5, clock.t + 3 * DAY))[0]).toMatchObject({ redacted: true, body: REDACTED_BODY });
    clock.advance(3 * DAY);
    await outbox.send(passcodeLetter(2));
    const text = await readFile(journal, 'utf8');
    expect(text).not.toContain('ABCD1FGH');
    expect(text).toContain('ABCD2FGH');
    expect(text.trim().split('\n')).toHaveLength(2);
    expect((await stat(journal)).mode & 0o777).toBe(0o600);
    // A line of the earlier version (no retention recorded) is shown redacted.
    await appendFile(journal, `${JSON.stringify({ ...passcodeLetter(3), id: 'old', createdAt: clock.t })}\n`);
    expect((await readOutboxJournal(journal, 1, clock.t))[0]).toMatchObject({ id: 'old', redacted: true });
    await rm(dir, { recursive: true, force: true });
  });

  it('drops the oldest messages beyond maxLength', async () => {
    const outbox = new MemoryOutbox({ maxLength: 3 });
    for (const i of range(5)) await outbox.send(passcodeLetter(i));
    const latest = await outbox.latest(10);
    expect(latest.map((m) => m.recipient)).toEqual(['manager4@example.org', 'manager3@example.org', 'manager2@example.org']);
  });

  it('hands out copies: changing one does not change the outbox', async () => {
    const outbox = new MemoryOutbox();
    const sent = await outbox.send(passcodeLetter(1));
    sent.body = 'changed';
    const [listed] = await outbox.latest(1);
    expect(listed.body).toBe(passcodeLetter(1).body);
    listed.tags!.kind = 'changed';
    expect((await outbox.latest(1))[0].tags).toEqual({ kind: 'otp', odsCode: 'VABC1' });
  });
});

describe('with a throwaway Redis', () => {
  const shared = useTwoRedisClients('outbox');
  const newPrefix = shared.newPrefix;
  let redis: TestRedis;
  let clientA: Redis;
  let clientB: Redis;
  beforeAll(() => {
    ({ redis, clientA, clientB } = shared);
  });

  describeOutboxContract('RedisOutbox', (clock, options) => {
    const keyPrefix = newPrefix();
    return [
      new RedisOutbox(clientA, { keyPrefix, now: clock.now, ...options }),
      new RedisOutbox(clientB, { keyPrefix, now: clock.now, ...options }),
    ];
  });

  describe('RedisOutbox storage', () => {
    it('keeps the content under a key of its own that expires after the retention; the stream and dedupe keys hold no content', async () => {
      const keyPrefix = newPrefix();
      const outbox = new RedisOutbox(clientA, { keyPrefix });
      // One hash tag for every key: one Cluster slot, so a send is one script.
      expect(outbox.streamKey).toBe(`${keyPrefix}{outbox}:messages`);
      expect(outbox.dedupeKeyFor('otp:VABC1')).toBe(`${keyPrefix}{outbox}:dedupe:otp:VABC1`);
      expect(outbox.contentKeyFor('id-1')).toBe(`${keyPrefix}{outbox}:content:id-1`);
      const sent = await outbox.send(passcodeLetter(1), { dedupeKey: 'otp:VABC1' });
      await outbox.send(passcodeLetter(1), { dedupeKey: 'otp:VABC1' });
      await outbox.send(passcodeLetter(2));
      expect(await clientA.xlen(outbox.streamKey)).toBe(2);
      const [[, fields]] = await clientA.xrange(outbox.streamKey, '-', '+', 'COUNT', 1);
      expect(fields.filter((_, i) => i % 2 === 0)).toEqual(['id', 'record']);
      expect(JSON.parse(fields[3]!)).toEqual({ ...sent, recipient: 'm***@example.org', body: REDACTED_BODY, redacted: true });
      const dedupe = await clientA.hgetall(outbox.dedupeKeyFor('otp:VABC1'));
      expect(Object.keys(dedupe).sort()).toEqual(['id', 'record', 'until']);
      const dedupeTtl = await clientA.pttl(outbox.dedupeKeyFor('otp:VABC1'));
      expect(dedupeTtl).toBeGreaterThan(30 * DAY - 60_000);
      expect(dedupeTtl).toBeLessThanOrEqual(30 * DAY);
      const contentTtl = await clientA.pttl(outbox.contentKeyFor(sent.id));
      expect(contentTtl).toBeGreaterThan(3 * DAY - 60_000);
      expect(contentTtl).toBeLessThanOrEqual(3 * DAY);
      // The passcode is in the content key and nowhere else.
      const holding: string[] = [];
      for (const key of await clientA.keys(`${keyPrefix}*`)) {
        const type = await clientA.type(key);
        const value = type === 'string' ? await clientA.get(key) : type === 'hash' ? JSON.stringify(await clientA.hgetall(key)) : JSON.stringify(await clientA.xrange(key, '-', '+'));
        if (value?.includes('ABCD1FGH')) holding.push(key);
      }
      expect(holding).toEqual([outbox.contentKeyFor(sent.id)]);
      expect(await clientA.pttl(outbox.streamKey)).toBeGreaterThan(0);
    });

    it('lets Redis delete the content after the retention (real time), leaving the record', async () => {
      const outbox = new RedisOutbox(clientA, { keyPrefix: newPrefix(), retentionMs: 300 });
      const sent = await outbox.send(passcodeLetter(7));
      expect((await outbox.latest(1))[0]).toEqual(sent);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await clientA.exists(outbox.contentKeyFor(sent.id))).toBe(0);
      expect((await outbox.latest(1))[0]).toMatchObject({ id: sent.id, redacted: true, body: REDACTED_BODY });
    });

    it('shows entries of the first version (whole messages in the stream) redacted past the retention, and forgets them', async () => {
      const clock = fakeClock();
      const keyPrefix = newPrefix();
      const outbox = new RedisOutbox(clientA, { keyPrefix, now: clock.now });
      const earlier = outbox.earlierKeys;
      expect(earlier.stream).toBe(`${keyPrefix}outbox`);
      const legacy: OutboxMessage = { ...passcodeLetter(9), id: randomUUID(), createdAt: clock.t };
      await clientA.xadd(earlier.stream, '*', 'message', JSON.stringify(legacy));
      await clientA.hset(earlier.dedupeKeyFor('old'), { message: JSON.stringify(legacy), until: String(clock.t + DAY) });
      await expect(outbox.latest(1)).resolves.toEqual([legacy]);
      clock.advance(3 * DAY);
      await expect(outbox.latest(1)).resolves.toEqual([{ ...legacy, recipient: 'm***@example.org', body: REDACTED_BODY, redacted: true }]);
      expect(await outbox.forgetOldContent()).toBe(2);
      expect(await clientA.xlen(earlier.stream)).toBe(0);
      expect(await clientA.exists(earlier.dedupeKeyFor('old'))).toBe(0);
    });

    it('reads what the previous version wrote under keys in several slots: its messages among the new ones, its content while retained, its dedupe keys', async () => {
      const clock = fakeClock();
      const keyPrefix = newPrefix();
      const outbox = new RedisOutbox(clientA, { keyPrefix, now: clock.now });
      const earlier = outbox.earlierKeys;
      expect(earlier.contentKeyFor('id-1')).toBe(`${keyPrefix}outbox:content:{id-1}`);
      expect(earlier.dedupeKeyFor('otp:VOLD1')).toBe(`${keyPrefix}outbox-dedupe:{otp:VOLD1}`);
      // As the previous version's send script left them.
      const writeEarlier = async (message: OutboxMessage, dedupeKey?: string) => {
        const record = JSON.stringify({ ...message, recipient: 'm***@example.org', body: REDACTED_BODY, redacted: true });
        await clientA.xadd(earlier.stream, '*', 'id', message.id, 'record', record);
        await clientA.set(earlier.contentKeyFor(message.id), JSON.stringify({ ...message, retainedUntil: message.createdAt + 3 * DAY }), 'PX', 3 * DAY);
        if (dedupeKey) await clientA.hset(earlier.dedupeKeyFor(dedupeKey), { id: message.id, record, until: String(message.createdAt + 30 * DAY) });
      };
      const before: OutboxMessage = { ...passcodeLetter(1), id: randomUUID(), createdAt: clock.t };
      await writeEarlier(before, 'otp:VOLD1');
      clock.advance(60_000);
      const older: OutboxMessage = { ...passcodeLetter(2), id: randomUUID(), createdAt: clock.t };
      await writeEarlier(older);
      clock.advance(60_000);
      const after = await outbox.send(passcodeLetter(3));
      await expect(outbox.latest(10)).resolves.toEqual([after, older, before]);
      await expect(outbox.latest(2)).resolves.toEqual([after, older]);
      // A retried turn after the upgrade: the message the previous version sent counts, once.
      await expect(outbox.send(passcodeLetter(1), { dedupeKey: 'otp:VOLD1' })).resolves.toEqual(before);
      expect(await clientA.xlen(outbox.streamKey)).toBe(1);
      // Past the retention: the records only; past the dedupe TTL: a new message.
      clock.advance(3 * DAY);
      const redacted = (m: OutboxMessage) => ({ ...m, recipient: 'm***@example.org', body: REDACTED_BODY, redacted: true });
      await expect(outbox.latest(10)).resolves.toEqual([redacted(after), redacted(older), redacted(before)]);
      await expect(outbox.send(passcodeLetter(1), { dedupeKey: 'otp:VOLD1' })).resolves.toEqual(redacted(before));
      clock.advance(27 * DAY);
      const again = await outbox.send(passcodeLetter(1), { dedupeKey: 'otp:VOLD1' });
      expect(again.id).not.toBe(before.id);
      expect((await outbox.latest(1))[0]).toEqual(again);
    });

    it('caps the stream (approximately) at maxLength', async () => {
      const outbox = new RedisOutbox(clientA, { keyPrefix: newPrefix(), maxLength: 100 });
      for (const i of range(350)) await outbox.send(passcodeLetter(i), i % 2 ? { dedupeKey: `k${i}` } : undefined);
      const length = await clientA.xlen(outbox.streamKey);
      expect(length).toBeGreaterThanOrEqual(100);
      expect(length).toBeLessThan(350);
      const latest = await outbox.latest(100);
      expect(latest.map((m) => m.recipient)).toEqual(range(100).map((i) => `manager${349 - i}@example.org`));
    });

    it('fails with StoreUnavailableError when Redis cannot be reached', async () => {
      const client = createRedisClient(redis.url);
      await waitUntilReady(client);
      await client.quit();
      const outbox = new RedisOutbox(client, { keyPrefix: newPrefix() });
      await expect(outbox.send(passcodeLetter(1))).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(outbox.send(passcodeLetter(1), { dedupeKey: 'k' })).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(outbox.latest(5)).rejects.toBeInstanceOf(StoreUnavailableError);
    });
  });

  describe('npm run outbox (scripts/outbox.ts)', () => {
    const run = async (argv: string[], env: NodeJS.ProcessEnv) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(argv, env, (t) => out.push(t), (t) => err.push(t));
      return { code, out: out.join('\n'), err: err.join('\n') };
    };

    it('prints the latest messages, newest first, with the body that holds the passcode', async () => {
      const keyPrefix = newPrefix();
      // The script reads with the real clock: these were sent in the last half hour.
      const start = Date.now() - 30 * 60_000;
      const clock = fakeClock(start);
      const outbox = new RedisOutbox(clientA, { keyPrefix, now: clock.now });
      for (const i of range(25)) {
        await outbox.send(passcodeLetter(i));
        clock.advance(60_000);
      }
      const all = await run(['--prefix', keyPrefix], { REDIS_URL: redis.url });
      expect(all.code).toBe(0);
      expect(all.err).toBe('');
      expect(all.out).toContain(`Latest 20 messages in ${keyPrefix}{outbox}:messages, newest first`);
      expect(all.out).toContain('ABCD24FGH');
      expect(all.out).toContain('ABCD5FGH');
      expect(all.out).not.toContain('ABCD4FGH');
      expect(all.out.indexOf('ABCD24FGH')).toBeLessThan(all.out.indexOf('ABCD23FGH'));
      expect(all.out).toContain(`${new Date(start + 24 * 60_000).toISOString()}  email  to manager24@example.org`);
      expect(all.out).toContain('Subject: Your NHSmail registration passcode');

      const two = await run(['--limit', '2', `--prefix=${keyPrefix}`], { REDIS_URL: redis.url });
      expect(two.code).toBe(0);
      expect(two.out).toContain('Latest 2 messages');
      expect(two.out).toContain('ABCD23FGH');
      expect(two.out).not.toContain('ABCD22FGH');
    });

    it('says so when the outbox is empty', async () => {
      const keyPrefix = newPrefix();
      const result = await run(['--prefix', keyPrefix], { REDIS_URL: redis.url });
      expect(result).toEqual({ code: 0, out: `The outbox (${keyPrefix}{outbox}:messages) is empty.`, err: '' });
    });

    it('without REDIS_URL, reads the journal that a bot running in memory writes', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'outbox-'));
      const journal = join(dir, 'outbox.jsonl');
      const empty = await run([], { OUTBOX_FILE: journal });
      expect(empty).toMatchObject({ code: 0, out: expect.stringMatching(/is empty/) });
      const clock = fakeClock(Date.now());
      const outbox = new MemoryOutbox({ now: clock.now, journal });
      await outbox.send({ channel: 'email', recipient: 'manager@example.co.uk', subject: 'Your passcode', body: 'Your passcode is ABCD2345' });
      await outbox.send({ channel: 'letter', recipient: 'A Care Home, Leeds', body: 'Your passcode is WXYZ6789' }, { dedupeKey: 'k' });
      await outbox.send({ channel: 'letter', recipient: 'A Care Home, Leeds', body: 'Your passcode is WXYZ6789' }, { dedupeKey: 'k' });
      await appendFile(journal, '{"cut short');
      const result = await run(['--limit', '5'], { OUTBOX_FILE: journal });
      expect(result.code).toBe(0);
      expect(result.out).toMatch(/Latest 2 messages/);
      expect(result.out.indexOf('WXYZ6789')).toBeLessThan(result.out.indexOf('ABCD2345'));
      await rm(dir, { recursive: true, force: true });
    });

    it('refuses bad options with exit code 2', async () => {
      expect((await run(['--limit', '0'], { REDIS_URL: redis.url })).code).toBe(2);
      expect((await run(['--limit', 'ten'], { REDIS_URL: redis.url })).code).toBe(2);
      expect((await run(['--bogus'], { REDIS_URL: redis.url })).code).toBe(2);
      expect(parseArgs([])).toEqual({ limit: 20, prefix: 'nhsca:', help: false });
      expect(parseArgs(['-n', '5'])).toMatchObject({ limit: 5 });
    });

    it('formats a message without subject or tags', () => {
      const text = formatMessage({
        id: randomUUID(),
        channel: 'sms',
        recipient: '+447700900123',
        body: 'line one\nline two',
        createdAt: Date.UTC(2025, 0, 6),
      });
      expect(text).toBe('2025-01-06T00:00:00.000Z  sms  to +447700900123\n\n  line one\n  line two');
    });
  });
});
