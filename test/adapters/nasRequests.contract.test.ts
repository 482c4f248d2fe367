import type { Redis } from 'ioredis';
import { StoreUnavailableError } from '../../adapters/conversationStore';
import { MemoryNasRequests } from '../../adapters/memoryNasRequests';
import {
  exclusiveKey,
  InvalidSubmissionError,
  NasRequests,
  NasSubmission,
  StoredRequestError,
} from '../../adapters/nasRequests';
import * as records from '../../adapters/nasRequestRecords';
import { OTP_ALPHABET } from '../../adapters/oneTimePasscodes';
import { createRedisClient, waitUntilReady } from '../../adapters/redisConversationStore';
import { ABANDONED_CLAIM_MS, NAS_CONSUMER_GROUP, RedisNasRequests } from '../../adapters/redisNasRequests';
import { TestRedis, useTwoRedisClients } from '../helpers/redis';
import { Attempt, conversationReferenceFor, detailsFor, newAttemptId, newConversationKey, newOdsCode, registration } from '../helpers/nasRequests';
import { FakeClock, fakeClock } from '../helpers/clock';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const REFERENCE_PATTERN = new RegExp(`^REG-[${OTP_ALPHABET}]{8}$`);

/**
 * What every NasRequests must do. `open` returns two instances over the same storage (for Redis,
 * two stores on two clients: two bot processes; in memory, the one store twice).
 */
export function describeNasRequestsContract(name: string, open: (clock: FakeClock) => [NasRequests, NasRequests]): void {
  describe(`${name} (NasRequests contract)`, () => {
    let clock: FakeClock;
    let a: NasRequests;
    let b: NasRequests;
    let ods: string;

    beforeEach(() => {
      clock = fakeClock();
      [a, b] = open(clock);
      ods = newOdsCode();
    });

    it('stores a registration as received, with one history entry, readable from any instance', async () => {
      const input = registration(ods.toLowerCase(), { channelId: 'webchat' });
      const result = await a.submit(input);
      expect(result).toEqual({
        outcome: 'created',
        request: {
          reference: expect.stringMatching(REFERENCE_PATTERN),
          kind: 'registration',
          queue: 'care',
          odsCode: ods,
          status: 'received',
          history: [{ status: 'received', at: clock.t, by: 'requester' }],
          details: input.details,
          requester: input.requester,
          idempotencyKey: input.idempotencyKey,
          exclusiveKey: `registration:${ods}`,
          createdAt: clock.t,
          updatedAt: clock.t,
          version: 1,
        },
      });
      if (result.outcome !== 'created') throw new Error('not created');
      const { request } = result;
      await expect(b.get(request.reference)).resolves.toEqual(request);
      await expect(b.get(` ${request.reference.toLowerCase()} `)).resolves.toEqual(request);
      await expect(a.pendingFor(exclusiveKey('registration', ods))).resolves.toEqual(request);
      await expect(b.pendingFor(exclusiveKey('registration', ` ${ods.toLowerCase()}`))).resolves.toEqual(request);
    });

    it('answers undefined for unknown references, things that are not references, and free keys', async () => {
      await expect(a.get('REG-ABCDEFGH')).resolves.toBeUndefined();
      await expect(a.get('REG-{x}')).resolves.toBeUndefined();
      await expect(a.get('')).resolves.toBeUndefined();
      await expect(a.get('nhsca:*')).resolves.toBeUndefined();
      await expect(a.pendingFor(exclusiveKey('registration', ods))).resolves.toBeUndefined();
    });

    it('gives the first request back, unchanged, when the same idempotency key is submitted again', async () => {
      const first = registration(ods);
      const created = await a.submit(first);
      clock.advance(60_000);
      // A confirm pressed twice, a retried turn: even with other details, the first request stands.
      const again = await b.submit({ ...first, details: detailsFor(ods, 'A Different Name') });
      expect(again).toEqual({ outcome: 'repeated', request: (created as { request: unknown }).request });
    });

    it('makes one request when the same idempotency key is submitted 10 times at once on two instances', async () => {
      const input = registration(ods);
      const results = await Promise.all(range(10).map((i) => (i % 2 ? a : b).submit(input)));
      expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'repeated')).toHaveLength(9);
      const references = new Set(results.map((r) => (r.outcome === 'conflict' ? r.kept : r.request).reference));
      expect(references.size).toBe(1);
    });

    it('makes a second request for a second registration in the same conversation (a new attempt)', async () => {
      const conversationKey = newConversationKey();
      const first = await a.submit(registration(ods, { conversationKey }));
      const other = newOdsCode();
      const second = await b.submit(registration(other, { conversationKey }));
      expect([first.outcome, second.outcome]).toEqual(['created', 'created']);
      if (first.outcome !== 'created' || second.outcome !== 'created') return;
      expect(second.request.reference).not.toBe(first.request.reference);
      expect(second.request.odsCode).toBe(other);
      await expect(a.get(first.request.reference)).resolves.toMatchObject({ odsCode: ods });
      await expect(a.get(second.request.reference)).resolves.toMatchObject({ odsCode: other });
    });

    it('finds the requests a conversation raised, newest first, its kept duplicates too', async () => {
      const conversationKey = newConversationKey();
      const first = await a.submit(registration(ods, { conversationKey }));
      clock.advance(1_000);
      await b.submit(registration(newOdsCode()));
      const other = newOdsCode();
      await b.submit(registration(other));
      clock.advance(1_000);
      const second = await a.submit(registration(other, { conversationKey }));
      expect([first.outcome, second.outcome]).toEqual(['created', 'conflict']);
      const mine = await b.forConversation(conversationKey);
      expect(mine.map((r) => r.reference)).toEqual([
        second.outcome === 'conflict' ? second.kept.reference : '',
        first.outcome === 'created' ? first.request.reference : '',
      ]);
      await expect(a.forConversation(conversationKey, 1)).resolves.toHaveLength(1);
      await expect(a.forConversation(newConversationKey())).resolves.toEqual([]);
    });

    it('tells the second of two people registering one organisation that it is in hand, and keeps their attempt', async () => {
      const first = await a.submit(registration(ods, { channelId: 'webchat', manager: 'Jane' }));
      if (first.outcome !== 'created') throw new Error('not created');
      clock.advance(5_000);
      const secondInput = registration(ods, { manager: 'Bob' });
      const second = await b.submit(secondInput);
      expect(second).toEqual({
        outcome: 'conflict',
        // Only what is safe to tell another person: no names, no addresses.
        existing: {
          reference: first.request.reference,
          kind: 'registration',
          status: 'received',
          createdAt: first.request.createdAt,
          channel: 'webchat',
        },
        kept: {
          reference: expect.stringMatching(REFERENCE_PATTERN),
          kind: 'registration',
          queue: 'care',
          odsCode: ods,
          status: 'rejected',
          history: [
            {
              status: 'rejected',
              at: clock.t,
              by: 'assistant',
              reason: `another request for this organisation is already being processed (${first.request.reference})`,
            },
          ],
          details: secondInput.details,
          requester: secondInput.requester,
          idempotencyKey: secondInput.idempotencyKey,
          exclusiveKey: `registration:${ods}`,
          duplicateOf: first.request.reference,
          createdAt: clock.t,
          updatedAt: clock.t,
          version: 1,
        },
      });
      if (second.outcome !== 'conflict') return;
      expect(JSON.stringify(second.existing)).not.toMatch(/Jane|oneill|example\.org|Rose Court/i);
      await expect(a.get(second.kept.reference)).resolves.toEqual(second.kept);
      // The first is still the one pending.
      await expect(b.pendingFor(exclusiveKey('registration', ods))).resolves.toEqual(first.request);
      // Pressing confirm again gives the same answer, not a new request.
      clock.advance(1_000);
      await expect(a.submit(secondInput)).resolves.toEqual(second);
    });

    it.each(range(10))('lets exactly one of two people confirming at once register an organisation (run %i)', async () => {
      const inputs = [registration(ods, { manager: 'Jane' }), registration(ods, { manager: 'Bob' })];
      const results = await Promise.all([a.submit(inputs[0]!), b.submit(inputs[1]!)]);
      const created = results.filter((r) => r.outcome === 'created');
      const conflicts = results.filter((r) => r.outcome === 'conflict');
      expect(created).toHaveLength(1);
      expect(conflicts).toHaveLength(1);
      const winner = created[0]!.outcome === 'created' ? created[0]!.request : undefined;
      const loser = conflicts[0]!;
      if (loser.outcome !== 'conflict' || !winner) return;
      expect(loser.existing).toEqual({
        reference: winner.reference,
        kind: 'registration',
        status: 'received',
        createdAt: winner.createdAt,
        channel: 'msteams',
      });
      expect(loser.kept).toMatchObject({ status: 'rejected', duplicateOf: winner.reference });
      expect(loser.kept.reference).not.toBe(winner.reference);
      // Nothing the loser typed is lost.
      const loserInput = inputs.find((i) => i.idempotencyKey === loser.kept.idempotencyKey)!;
      expect(loser.kept.details).toEqual(loserInput.details);
      await expect(a.get(loser.kept.reference)).resolves.toEqual(loser.kept);
      await expect(b.pendingFor(exclusiveKey('registration', ods))).resolves.toEqual(winner);
    });

    it('keeps every one of 10 people registering one organisation at once: one request, nine kept', async () => {
      const results = await Promise.all(range(10).map((i) => (i % 2 ? a : b).submit(registration(ods))));
      expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
      const kept = results.flatMap((r) => (r.outcome === 'conflict' ? [r.kept] : []));
      expect(kept).toHaveLength(9);
      expect(new Set(kept.map((k) => k.reference)).size).toBe(9);
      const winner = results.find((r) => r.outcome === 'created')!;
      if (winner.outcome !== 'created') return;
      expect(kept.every((k) => k.duplicateOf === winner.request.reference && k.status === 'rejected')).toBe(true);
    });

    it('lets requests without an exclusive key through side by side', async () => {
      const results = await Promise.all([a.submit(registration(ods, { exclusive: false })), b.submit(registration(ods, { exclusive: false }))]);
      expect(results.map((r) => r.outcome)).toEqual(['created', 'created']);
    });

    it('stores a question handed to a person under a QST reference, in its queue, found from its conversation', async () => {
      const conversationKey = newConversationKey();
      const input: NasSubmission<'question'> = {
        kind: 'question',
        queue: 'dental',
        idempotencyKey: `${conversationKey}:question:1`,
        requester: { conversationKey, conversationReference: conversationReferenceFor(conversationKey, 'webchat'), channelId: 'webchat' },
        details: {
          summary: 'Question: "how do i add [name] to the shared mailbox"',
          question: 'how do i add [name] to the shared mailbox',
          reason: 'notUnderstood',
          recentTurns: [
            { from: 'user', text: 'how do i add [name] to the shared mailbox' },
            { from: 'assistant', text: 'Did you mean: Getting access to the shared mailbox; Owners: adding and removing people?' },
          ],
          where: 'Register my organisation for NHSmail · Step 3 of 4 · Town and members',
          organisationKind: 'dental',
        },
      };
      const created = await a.submit(input);
      if (created.outcome !== 'created') throw new Error(`not created: ${created.outcome}`);
      expect(created.request).toMatchObject({ kind: 'question', queue: 'dental', status: 'received', details: input.details });
      expect(created.request.reference).toMatch(new RegExp(`^QST-[${OTP_ALPHABET}]{8}$`));
      await expect(b.get(created.request.reference)).resolves.toEqual(created.request);
      await expect(b.forConversation(conversationKey)).resolves.toEqual([created.request]);
      await expect(b.submit(input)).resolves.toMatchObject({ outcome: 'repeated', request: { reference: created.request.reference } });
    });

    it('keeps organisations apart', async () => {
      const mine = await a.submit(registration(ods));
      const theirs = await b.submit(registration(newOdsCode()));
      expect([mine.outcome, theirs.outcome]).toEqual(['created', 'created']);
    });

    it.each<[string, (input: NasSubmission<'registration'>) => unknown]>([
      ['an empty idempotency key', (input) => ({ ...input, idempotencyKey: '  ' })],
      ['a queue that does not exist', (input) => ({ ...input, queue: 'hospice' })],
      ['an unknown kind', (input) => ({ ...input, kind: 'holiday' })],
      ['no details', (input) => ({ ...input, details: undefined })],
      ['an empty exclusive key', (input) => ({ ...input, exclusive: { key: '' } })],
      ['a negative window', (input) => ({ ...input, exclusive: { key: 'registration:X', windowMs: -1 } })],
      ['a requester without a channel', (input) => ({ ...input, requester: { ...input.requester, channelId: '' } })],
      ['an empty ODS code', (input) => ({ ...input, odsCode: ' ' })],
    ])('refuses a submission with %s, storing nothing', async (_, spoil) => {
      const input = spoil(registration(ods)) as NasSubmission<'registration'>;
      await expect(a.submit(input)).rejects.toBeInstanceOf(InvalidSubmissionError);
      await expect(a.pendingFor(exclusiveKey('registration', ods))).resolves.toBeUndefined();
    });

    /** A registration submitted and created, for the tests that work it. */
    const created = async (attempt: Attempt = {}) => {
      const result = await a.submit(registration(ods, attempt));
      if (result.outcome !== 'created') throw new Error(`not created: ${result.outcome}`);
      return result.request;
    };
    const WORKER = 'sam.nas@nhs.net';

    it('moves a request through the status machine, keeping who, when and why in its history', async () => {
      const request = await created();
      clock.advance(60_000);
      const started = await b.update(request.reference, { status: 'inProgress', by: WORKER });
      expect(started).toEqual({
        outcome: 'updated',
        previous: 'received',
        request: {
          ...request,
          status: 'inProgress',
          history: [...request.history, { status: 'inProgress', at: clock.t, by: WORKER }],
          updatedAt: clock.t,
          version: 2,
        },
      });
      clock.advance(60_000);
      await a.update(request.reference, { status: 'waitingForRequester', by: WORKER, question: 'Which town should the mailbox name?' }, 2);
      clock.advance(60_000);
      await b.update(request.reference.toLowerCase(), { status: 'inProgress', by: 'requester', answer: ' Leeds ' }, 3);
      clock.advance(60_000);
      const done = await a.update(request.reference, { status: 'done', by: WORKER, reason: 'accounts created' }, 4);
      expect(done).toMatchObject({ outcome: 'updated', previous: 'inProgress', request: { status: 'done', version: 5, updatedAt: clock.t } });
      const t0 = request.createdAt;
      await expect(b.get(request.reference)).resolves.toMatchObject({
        status: 'done',
        history: [
          { status: 'received', at: t0, by: 'requester' },
          { status: 'inProgress', at: t0 + 60_000, by: WORKER },
          { status: 'waitingForRequester', at: t0 + 120_000, by: WORKER, question: 'Which town should the mailbox name?' },
          { status: 'inProgress', at: t0 + 180_000, by: 'requester', answer: 'Leeds' },
          { status: 'done', at: t0 + 240_000, by: WORKER, reason: 'accounts created' },
        ],
      });
    });

    it('refuses a move the status machine does not allow, naming the allowed ones, and changes nothing', async () => {
      const request = await created();
      await expect(b.update(request.reference, { status: 'done', by: WORKER })).resolves.toEqual({
        outcome: 'invalid',
        request,
        problem: 'notAllowed',
        message: 'a request that is received cannot become done: it may move to in progress, waiting for the requester, rejected',
        allowed: ['inProgress', 'waitingForRequester', 'rejected'],
      });
      await expect(b.update(request.reference, { status: 'rejected', by: WORKER, reason: ' ' })).resolves.toMatchObject({
        outcome: 'invalid',
        problem: 'reasonRequired',
      });
      await expect(a.update(request.reference, { status: 'waitingForRequester', by: WORKER })).resolves.toMatchObject({
        outcome: 'invalid',
        problem: 'questionRequired',
      });
      await expect(a.get(request.reference)).resolves.toEqual(request);
      await expect(a.update(request.reference, { status: 'inProgress', by: '' })).rejects.toBeInstanceOf(InvalidSubmissionError);
    });

    it('refuses a stale change (the If-Match of the back office), also when two race with one version', async () => {
      const request = await created();
      await a.update(request.reference, { status: 'inProgress', by: WORKER }, 1);
      const stale = await b.update(request.reference, { status: 'rejected', by: 'other.nas@nhs.net', reason: 'duplicate' }, 1);
      expect(stale).toMatchObject({ outcome: 'stale', request: { status: 'inProgress', version: 2 } });
      const raced = await Promise.all([
        a.update(request.reference, { status: 'done', by: WORKER }, 2),
        b.update(request.reference, { status: 'rejected', by: 'other.nas@nhs.net', reason: 'duplicate' }, 2),
      ]);
      expect(raced.map((r) => r.outcome).sort()).toEqual(['stale', 'updated']);
      await expect(a.get(request.reference)).resolves.toMatchObject({ version: 3, history: { length: 3 } });
    });

    it('answers notFound for a reference it does not hold', async () => {
      await expect(a.update('REG-ABCDEFGH', { status: 'inProgress', by: WORKER })).resolves.toEqual({ outcome: 'notFound' });
      await expect(a.update('not a reference', { status: 'inProgress', by: WORKER })).resolves.toEqual({ outcome: 'notFound' });
    });

    it('frees the organisation once its request is done or rejected, not before', async () => {
      const request = await created();
      await b.update(request.reference, { status: 'inProgress', by: WORKER });
      await a.update(request.reference, { status: 'waitingForRequester', by: WORKER, question: 'Which town?' });
      await expect(b.submit(registration(ods))).resolves.toMatchObject({ outcome: 'conflict', existing: { status: 'waitingForRequester' } });
      await a.update(request.reference, { status: 'rejected', by: WORKER, reason: 'the home has closed' });
      await expect(b.pendingFor(exclusiveKey('registration', ods))).resolves.toBeUndefined();
      await expect(b.submit(registration(ods))).resolves.toMatchObject({ outcome: 'created' });
    });

    it('keeps an exclusive key with a window for the whole window, even once done', async () => {
      const key = exclusiveKey('registration', ods);
      const input = (attempt = newAttemptId()) => ({ ...registration(ods, { idempotencyKey: attempt }), exclusive: { key, windowMs: DAY } });
      const first = await a.submit(input());
      if (first.outcome !== 'created') throw new Error('not created');
      clock.advance(HOUR);
      await b.update(first.request.reference, { status: 'inProgress', by: WORKER });
      await b.update(first.request.reference, { status: 'done', by: WORKER });
      await expect(a.pendingFor(key)).resolves.toMatchObject({ reference: first.request.reference, status: 'done' });
      await expect(a.submit(input())).resolves.toMatchObject({ outcome: 'conflict', existing: { reference: first.request.reference, status: 'done' } });
      clock.t = first.request.createdAt + DAY;
      await expect(a.pendingFor(key)).resolves.toBeUndefined();
      await expect(b.submit(input())).resolves.toMatchObject({ outcome: 'created' });
    });

    it('never moves a kept duplicate: rejected is final', async () => {
      await created();
      const second = await b.submit(registration(ods));
      if (second.outcome !== 'conflict') throw new Error('no conflict');
      await expect(a.update(second.kept.reference, { status: 'inProgress', by: WORKER })).resolves.toMatchObject({
        outcome: 'invalid',
        problem: 'notAllowed',
        allowed: [],
      });
    });

    it('draws references at random', async () => {
      const results = await Promise.all(range(50).map(() => a.submit(registration(newOdsCode()))));
      const references = results.map((r) => (r.outcome === 'created' ? r.request.reference : ''));
      expect(references.every((r) => REFERENCE_PATTERN.test(r))).toBe(true);
      expect(new Set(references).size).toBe(50);
    });
  });
}

describeNasRequestsContract('MemoryNasRequests', (clock) => {
  const store = new MemoryNasRequests({ now: clock.now });
  return [store, store];
});

describe('with a throwaway Redis', () => {
  const shared = useTwoRedisClients('nas');
  const newPrefix = shared.newPrefix;
  let redis: TestRedis;
  let clientA: Redis;
  let clientB: Redis;
  beforeAll(() => {
    ({ redis, clientA, clientB } = shared);
  });

  describeNasRequestsContract('RedisNasRequests', (clock) => {
    const keyPrefix = newPrefix();
    return [new RedisNasRequests(clientA, { keyPrefix, now: clock.now }), new RedisNasRequests(clientB, { keyPrefix, now: clock.now })];
  });

  describe('RedisNasRequests storage', () => {
    let clock: FakeClock;
    let keyPrefix: string;
    let a: RedisNasRequests;
    let b: RedisNasRequests;
    let ods: string;
    beforeEach(() => {
      clock = fakeClock();
      keyPrefix = newPrefix();
      a = new RedisNasRequests(clientA, { keyPrefix, now: clock.now });
      b = new RedisNasRequests(clientB, { keyPrefix, now: clock.now });
      ods = newOdsCode();
    });

    it('writes the request hash, its idempotency and exclusive keys, and one queue entry, for 10 people at once', async () => {
      const inputs = range(10).map(() => registration(ods));
      const results = await Promise.all(inputs.map((input, i) => (i % 2 ? a : b).submit(input)));
      const winner = results.find((r) => r.outcome === 'created')!;
      if (winner.outcome !== 'created') throw new Error('none created');
      const { request } = winner;

      expect(a.requestKey(request.reference)).toBe(`${keyPrefix}nas:request:{${request.reference}}`);
      const hash = await clientA.hgetall(a.requestKey(request.reference));
      expect(hash).toMatchObject({
        form: '2',
        reference: request.reference,
        kind: 'registration',
        queue: 'care',
        odsCode: ods,
        status: 'received',
        version: '1',
        idempotencyKey: request.idempotencyKey,
        exclusiveKey: `registration:${ods}`,
        createdAt: String(request.createdAt),
      });
      expect(JSON.parse(hash.details!)).toEqual(request.details);
      expect(await clientA.get(a.idempotencyKeyFor(request.idempotencyKey))).toBe(request.reference);
      expect(await clientA.hgetall(a.exclusiveKeyFor(`registration:${ods}`))).toEqual({
        reference: request.reference,
        kind: 'registration',
        createdAt: String(request.createdAt),
        channel: 'msteams',
        windowMs: '0',
        pending: '1',
      });

      // One entry on the care queue, read with the consumer group `nas`; every request indexed.
      const queue = a.queueKeys('care');
      expect(queue.stream).toBe(`${keyPrefix}nas:queue:{care}`);
      const entries = await clientA.xrange(queue.stream, '-', '+');
      expect(entries.map(([, fields]) => fields)).toEqual([['reference', request.reference]]);
      const groups = (await clientA.xinfo('GROUPS', queue.stream)) as unknown[][];
      expect(groups.map((g) => g[1])).toEqual([NAS_CONSUMER_GROUP]);
      expect(await clientA.zcard(queue.index)).toBe(10);
      expect(await clientA.hgetall(queue.entries)).toEqual({ [request.reference]: entries[0]![0] });
      expect(await clientA.exists(a.queueKeys('dental').stream)).toBe(0);
      // Nothing expires.
      for (const key of [a.requestKey(request.reference), a.idempotencyKeyFor(request.idempotencyKey), a.exclusiveKeyFor(`registration:${ods}`)]) {
        expect(await clientA.pttl(key)).toBe(-1);
      }
    });

    it('draws another reference when the one drawn is taken', async () => {
      const first = await a.submit(registration(ods));
      if (first.outcome !== 'created') throw new Error('not created');
      const draw = jest.spyOn(records, 'newReference').mockReturnValueOnce(first.request.reference);
      try {
        const other = registration(newOdsCode());
        const second = await b.submit(other);
        expect(second.outcome).toBe('created');
        if (second.outcome !== 'created') return;
        expect(draw).toHaveReturnedWith(first.request.reference);
        expect(second.request.reference).not.toBe(first.request.reference);
        expect(await clientA.get(b.idempotencyKeyFor(other.idempotencyKey))).toBe(second.request.reference);
        await expect(a.get(first.request.reference)).resolves.toEqual(first.request);
      } finally {
        draw.mockRestore();
      }
    });

    it('keeps braces in a key from moving its hash tag', () => {
      expect(a.idempotencyKeyFor('a}b{c')).toBe(`${keyPrefix}nas:idempotency:{a%7Db%7Bc}`);
      expect(a.exclusiveKeyFor('passwordReset:JANE@NHS.NET')).toBe(`${keyPrefix}nas:exclusive:{passwordReset%3AJANE%40NHS.NET}`);
      expect(() => new RedisNasRequests(clientA, { keyPrefix: 'x{y}:' })).toThrow(/braces/);
    });

    it('finishes a submission interrupted after it claimed its idempotency key (a retry completes it)', async () => {
      const input = registration(ods);
      await clientA.set(a.idempotencyKeyFor(input.idempotencyKey), 'REG-ABCDEFGH');
      await expect(a.get('REG-ABCDEFGH')).resolves.toBeUndefined();
      const result = await b.submit(input);
      expect(result).toMatchObject({ outcome: 'created', request: { reference: 'REG-ABCDEFGH', status: 'received' } });
      await expect(a.submit(input)).resolves.toMatchObject({ outcome: 'repeated', request: { reference: 'REG-ABCDEFGH' } });
      expect(await clientA.xlen(a.queueKeys('care').stream)).toBe(1);
    });

    it('finishes a submission interrupted after it wrote the request (the queue entry is added once)', async () => {
      const input = registration(ods);
      const result = await a.submit(input);
      if (result.outcome !== 'created') throw new Error('not created');
      const queue = a.queueKeys('care');
      await clientA.del(queue.stream, queue.entries, queue.index);
      await expect(b.submit(input)).resolves.toMatchObject({ outcome: 'repeated' });
      await expect(a.submit(input)).resolves.toMatchObject({ outcome: 'repeated' });
      expect(await clientA.xlen(queue.stream)).toBe(1);
      expect(await clientA.zcard(queue.index)).toBe(1);
    });

    it('takes over an exclusive key claimed by a submission that never wrote its request', async () => {
      const key = a.exclusiveKeyFor(`registration:${ods}`);
      await clientA.hset(key, { reference: 'REG-ZZZZZZZZ', kind: 'registration', createdAt: clock.t, channel: 'webchat', windowMs: 0, pending: 1 });
      // Moments later it may still be being written: the second is told one is in hand.
      clock.advance(1_000);
      await expect(a.submit(registration(ods))).resolves.toMatchObject({
        outcome: 'conflict',
        existing: { reference: 'REG-ZZZZZZZZ', kind: 'registration', status: 'received', channel: 'webchat' },
      });
      // A minute on, the claim is abandoned.
      clock.advance(ABANDONED_CLAIM_MS);
      const result = await b.submit(registration(ods));
      expect(result.outcome).toBe('created');
      await expect(clientA.hget(key, 'reference')).resolves.toBe(result.outcome === 'created' ? result.request.reference : '');
    });

    it('reads a registration stored by the first version, and lets it hold its organisation', async () => {
      // Written exactly as the first version wrote it (hash, indexes, stream).
      const reference = 'REG-7KD9QX2P';
      const conversationKey = newConversationKey();
      const details = detailsFor(ods);
      await clientA.hset(`${keyPrefix}nas:request:{${reference}}`, {
        reference,
        type: 'registration',
        status: 'submitted',
        odsCode: ods,
        conversationKey,
        document: JSON.stringify({ details, conversationReference: conversationReferenceFor(conversationKey, 'emulator') }),
        createdAt: clock.t - 3_600_000,
        updatedAt: clock.t - 3_600_000,
      });
      await clientA.set(`${keyPrefix}nas:by-conversation:{${conversationKey}}`, reference);
      await clientA.set(`${keyPrefix}nas:pending-ods:{${ods}}`, reference);
      await clientA.xadd(`${keyPrefix}nas:requests`, '*', 'reference', reference, 'type', 'registration');

      const old = {
        reference,
        kind: 'registration',
        queue: 'care',
        odsCode: ods,
        status: 'received',
        history: [{ status: 'received', at: clock.t - 3_600_000, by: 'requester' }],
        details,
        requester: { conversationKey, conversationReference: conversationReferenceFor(conversationKey, 'emulator'), channelId: 'emulator' },
        idempotencyKey: `conversation:${conversationKey}`,
        exclusiveKey: `registration:${ods}`,
        createdAt: clock.t - 3_600_000,
        updatedAt: clock.t - 3_600_000,
        version: 1,
      };
      await expect(b.get(reference)).resolves.toEqual(old);
      await expect(a.pendingFor(exclusiveKey('registration', ods))).resolves.toEqual(old);
      await expect(b.forConversation(conversationKey)).resolves.toEqual([old]);
      await expect(b.submit(registration(ods))).resolves.toMatchObject({
        outcome: 'conflict',
        existing: { reference, kind: 'registration', status: 'received', channel: 'emulator' },
        kept: { duplicateOf: reference, status: 'rejected' },
      });

      // Worked by the first version's statuses.
      await clientA.hset(`${keyPrefix}nas:request:{${reference}}`, 'status', 'in-progress', 'updatedAt', clock.t);
      await expect(a.get(reference)).resolves.toMatchObject({
        status: 'inProgress',
        history: [{ status: 'inProgress', at: clock.t, by: 'NAS' }],
        version: 1,
      });
      await clientA.hset(`${keyPrefix}nas:request:{${reference}}`, 'status', 'completed');
      await expect(a.get(reference)).resolves.toMatchObject({ status: 'done' });
      await expect(a.pendingFor(exclusiveKey('registration', ods))).resolves.toBeUndefined();
      await expect(a.submit(registration(ods))).resolves.toMatchObject({ outcome: 'created' });
    });

    it('works a first-version registration: rewritten in the current form, holding its organisation until done', async () => {
      const reference = 'REG-8KD9QX2P';
      const conversationKey = newConversationKey();
      await clientA.hset(`${keyPrefix}nas:request:{${reference}}`, {
        reference,
        type: 'registration',
        status: 'submitted',
        odsCode: ods,
        conversationKey,
        document: JSON.stringify({ details: detailsFor(ods), conversationReference: conversationReferenceFor(conversationKey) }),
        createdAt: clock.t,
        updatedAt: clock.t,
      });
      await clientA.set(`${keyPrefix}nas:pending-ods:{${ods}}`, reference);
      clock.advance(1_000);
      await expect(a.update(reference, { status: 'inProgress', by: 'sam.nas@nhs.net' }, 1)).resolves.toMatchObject({
        outcome: 'updated',
        request: { status: 'inProgress', version: 2, history: [{ status: 'received' }, { status: 'inProgress' }] },
      });
      expect(await clientA.hget(a.requestKey(reference), 'form')).toBe('2');
      expect(await clientA.hexists(a.requestKey(reference), 'document')).toBe(0);
      await expect(b.pendingFor(exclusiveKey('registration', ods))).resolves.toMatchObject({ reference, status: 'inProgress' });
      await expect(b.submit(registration(ods))).resolves.toMatchObject({ outcome: 'conflict', existing: { reference } });
      await b.update(reference, { status: 'done', by: 'sam.nas@nhs.net' }, 2);
      expect(await clientA.exists(`${keyPrefix}nas:pending-ods:{${ods}}`)).toBe(0);
      await expect(a.submit(registration(ods))).resolves.toMatchObject({ outcome: 'created' });
    });

    it('frees an organisation whose finished request did not let go of its exclusive key (an interrupted update)', async () => {
      const first = await a.submit(registration(ods));
      if (first.outcome !== 'created') throw new Error('not created');
      await a.update(first.request.reference, { status: 'rejected', by: 'sam.nas@nhs.net', reason: 'test' });
      // As if the update stopped before its second step.
      await clientA.hset(a.exclusiveKeyFor(`registration:${ods}`), { reference: first.request.reference, pending: 1 });
      await clientA.persist(a.exclusiveKeyFor(`registration:${ods}`));
      const second = await b.submit(registration(ods));
      expect(second.outcome).toBe('created');
      expect(await clientA.hget(a.exclusiveKeyFor(`registration:${ods}`), 'reference')).toBe(second.outcome === 'created' ? second.request.reference : '');
    });

    it('says clearly which stored request cannot be read, and why', async () => {
      await clientA.hset(a.requestKey('REG-BBBBBBBB'), { form: '2', reference: 'REG-BBBBBBBB', kind: 'registration', status: 'lost' });
      await expect(a.get('REG-BBBBBBBB')).rejects.toThrow(StoredRequestError);
      await expect(a.get('REG-BBBBBBBB')).rejects.toThrow(/REG-BBBBBBBB cannot be read: .*status/);
      await clientA.hset(a.requestKey('REG-CCCCCCCC'), { reference: 'REG-CCCCCCCC', type: 'registration', status: 'submitted', document: '{' });
      await expect(a.get('REG-CCCCCCCC')).rejects.toThrow(/REG-CCCCCCCC cannot be read: .*document is not JSON/);
    });

    it('fails with StoreUnavailableError when Redis cannot be reached', async () => {
      const client = createRedisClient(redis.url);
      await waitUntilReady(client);
      await client.quit();
      const store = new RedisNasRequests(client, { keyPrefix: newPrefix() });
      await expect(store.submit(registration(ods))).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.get('REG-ABCDEFGH')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.pendingFor(exclusiveKey('registration', ods))).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.update('REG-ABCDEFGH', { status: 'inProgress', by: 'sam.nas@nhs.net' })).rejects.toBeInstanceOf(StoreUnavailableError);
    });
  });
});
