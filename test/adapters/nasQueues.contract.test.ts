import type { Redis } from 'ioredis';
import { MemoryNasRequests, NasRequestsOptions } from '../../adapters/memoryNasRequests';
import { InvalidSubmissionError, NasRequest, NasRequests, RECLAIM_AFTER_MS, RetentionLogger } from '../../adapters/nasRequests';
import { NAS_CONSUMER_GROUP, RedisNasRequests } from '../../adapters/redisNasRequests';
import { FakeClock, fakeClock } from '../helpers/clock';
import { newOdsCode, registration } from '../helpers/nasRequests';
import { useTwoRedisClients } from '../helpers/redis';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

interface Opened {
  /** Two instances over the same storage (two bot processes, or NAS workers on two machines). */
  a: NasRequests;
  b: NasRequests;
  /** Lets `ms` pass for what the store times: its clock, and how long queue entries have been held. */
  age(ms: number): Promise<void>;
}

type Open = (clock: FakeClock, options: Omit<NasRequestsOptions, 'now'>) => Opened;

/** The queues, the list and the retention of the NAS back office, for every NasRequests. */
export function describeNasQueuesContract(name: string, open: Open): void {
  describe(`${name} (NAS queues contract)`, () => {
    let clock: FakeClock;
    let a: NasRequests;
    let b: NasRequests;
    let age: Opened['age'];
    let logged: { fields: Record<string, unknown>; message: string }[];
    const logger: RetentionLogger = { info: (fields, message) => logged.push({ fields, message }) };

    beforeEach(() => {
      clock = fakeClock();
      logged = [];
      ({ a, b, age } = open(clock, { logger }));
    });

    /** A registration for an organisation of its own, `minutes` after the previous one. */
    const submitted = async (queue: 'care' | 'dental' = 'care', minutes = 1): Promise<NasRequest> => {
      clock.advance(minutes * MINUTE);
      const input = { ...registration(newOdsCode()), queue };
      const result = await a.submit(input);
      if (result.outcome !== 'created') throw new Error(result.outcome);
      return result.request;
    };

    it('gives workers the oldest request of their queue first, marking it in progress and theirs', async () => {
      const [first, second] = [await submitted(), await submitted()];
      const dental = await submitted('dental');
      clock.advance(MINUTE);
      const taken = await b.take('care', 'sam.nas@nhs.net');
      expect(taken).toEqual({
        ...first,
        status: 'inProgress',
        assignee: 'sam.nas@nhs.net',
        history: [...first.history, { status: 'inProgress', at: clock.t, by: 'sam.nas@nhs.net' }],
        updatedAt: clock.t,
        version: 2,
      });
      await expect(a.get(first.reference)).resolves.toEqual(taken);
      await expect(a.take('care', 'alex.nas@nhs.net')).resolves.toMatchObject({ reference: second.reference, assignee: 'alex.nas@nhs.net' });
      await expect(a.take('care', 'alex.nas@nhs.net')).resolves.toBeUndefined();
      await expect(b.take('dental', 'dee.nas@nhs.net')).resolves.toMatchObject({ reference: dental.reference, status: 'inProgress' });
      await expect(b.take('dental', 'dee.nas@nhs.net')).resolves.toBeUndefined();
      await expect(a.take('care', ' ')).rejects.toBeInstanceOf(InvalidSubmissionError);
    });

    it('never gives two workers racing on two instances the same request', async () => {
      const requests = await Promise.all(range(10).map(() => submitted()));
      const takes = await Promise.all(range(20).map((i) => (i % 2 ? a : b).take('care', `worker-${i}`)));
      const got = takes.filter((t): t is NasRequest => t !== undefined);
      expect(got).toHaveLength(10);
      expect(new Set(got.map((r) => r.reference))).toEqual(new Set(requests.map((r) => r.reference)));
      for (const request of got) await expect(a.get(request.reference)).resolves.toMatchObject({ status: 'inProgress', version: 2 });
    });

    it('offers a request again when its worker has not finished it within 10 minutes', async () => {
      const request = await submitted();
      await a.take('care', 'sam.nas@nhs.net');
      await age(RECLAIM_AFTER_MS - MINUTE);
      await expect(b.take('care', 'alex.nas@nhs.net')).resolves.toBeUndefined();
      await expect(b.reclaim('care', 'alex.nas@nhs.net')).resolves.toBeUndefined();
      await age(2 * MINUTE);
      // Sam's process died: Alex gets it, still in progress, now his.
      const again = await b.take('care', 'alex.nas@nhs.net');
      expect(again).toMatchObject({ reference: request.reference, status: 'inProgress', assignee: 'alex.nas@nhs.net', version: 3 });
      expect(again!.history).toHaveLength(2);
      await expect(a.take('care', 'sam.nas@nhs.net')).resolves.toBeUndefined();
      // Finished in time: never offered again.
      await a.update(request.reference, { status: 'done', by: 'alex.nas@nhs.net' });
      await age(RECLAIM_AFTER_MS + MINUTE);
      await expect(a.take('care', 'sam.nas@nhs.net')).resolves.toBeUndefined();
    });

    it('takes a request waiting for its requester out of the queue until it is answered', async () => {
      const request = await submitted();
      await a.take('care', 'sam.nas@nhs.net');
      await b.update(request.reference, { status: 'waitingForRequester', by: 'sam.nas@nhs.net', question: 'Which town?' });
      await age(RECLAIM_AFTER_MS + MINUTE);
      await expect(a.take('care', 'alex.nas@nhs.net')).resolves.toBeUndefined();
      await b.update(request.reference, { status: 'inProgress', by: 'requester', answer: 'Leeds' });
      await expect(a.take('care', 'alex.nas@nhs.net')).resolves.toMatchObject({ reference: request.reference, assignee: 'alex.nas@nhs.net' });
    });

    it('gives a request answered after waiting, before anyone took it, to one worker only', async () => {
      const request = await submitted();
      await a.update(request.reference, { status: 'waitingForRequester', by: 'sam.nas@nhs.net', question: 'Which town?' });
      await b.update(request.reference, { status: 'inProgress', by: 'requester', answer: 'Leeds' });
      await expect(a.take('care', 'alex.nas@nhs.net')).resolves.toMatchObject({ reference: request.reference, assignee: 'alex.nas@nhs.net' });
      await expect(b.take('care', 'sam.nas@nhs.net')).resolves.toBeUndefined();
      await age(RECLAIM_AFTER_MS + MINUTE);
      await expect(b.take('care', 'sam.nas@nhs.net')).resolves.toMatchObject({ reference: request.reference, assignee: 'sam.nas@nhs.net' });
      await expect(a.take('care', 'alex.nas@nhs.net')).resolves.toBeUndefined();
    });

    it('skips requests with nothing to do: finished before they were taken, or kept duplicates', async () => {
      const first = await submitted();
      await a.update(first.reference, { status: 'rejected', by: 'sam.nas@nhs.net', reason: 'a hospice' });
      const input = registration(newOdsCode());
      const holder = await a.submit(input);
      const duplicate = await b.submit({ ...registration(input.odsCode!) });
      expect(duplicate.outcome).toBe('conflict');
      const taken = await a.take('care', 'sam.nas@nhs.net');
      expect(taken?.reference).toBe(holder.outcome === 'created' ? holder.request.reference : '');
      await expect(b.take('care', 'sam.nas@nhs.net')).resolves.toBeUndefined();
    });

    it('lists requests newest first, filtered by status, kind, organisation and queue', async () => {
      const care = [await submitted(), await submitted(), await submitted()];
      const dental = await submitted('dental');
      await a.update(care[1]!.reference, { status: 'inProgress', by: 'sam.nas@nhs.net' });
      const refs = (page: { requests: NasRequest[] }) => page.requests.map((r) => r.reference);
      expect(refs(await b.list())).toEqual([dental, care[2], care[1], care[0]].map((r) => r!.reference));
      expect(refs(await b.list({ status: 'received' }))).toEqual([dental, care[2], care[0]].map((r) => r!.reference));
      expect(refs(await b.list({ status: ['inProgress', 'done'] }))).toEqual([care[1]!.reference]);
      expect(refs(await b.list({ queue: 'dental' }))).toEqual([dental.reference]);
      expect(refs(await b.list({ odsCode: ` ${care[0]!.odsCode!.toLowerCase()} ` }))).toEqual([care[0]!.reference]);
      expect(refs(await b.list({ kind: 'registration', queue: 'care', status: 'received' }))).toEqual([care[2], care[0]].map((r) => r!.reference));
      expect(refs(await b.list({ kind: 'leaver' }))).toEqual([]);
      await expect(b.list({ status: 'lost' as never })).rejects.toThrow(/unknown status "lost"/);
      await expect(b.list({}, { limit: 0 })).rejects.toThrow(/limit must be a whole number from 1 to 200/);
      await expect(b.list({}, { cursor: 'not-a-cursor' })).rejects.toThrow(/cursor is not one this list gave/);
    });

    it('pages through the list with a cursor, also through requests made in the same millisecond', async () => {
      const made: NasRequest[] = [];
      for (const i of range(7)) made.push(await submitted(i % 3 ? 'care' : 'dental', i < 5 ? 0 : 1));
      const pages: NasRequest[][] = [];
      let cursor: string | undefined;
      do {
        const page = await (pages.length % 2 ? a : b).list({}, { limit: 3, cursor });
        pages.push(page.requests);
        cursor = page.nextCursor;
      } while (cursor && pages.length < 10);
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      const listed = pages.flat().map((r) => r.reference);
      const expected = [...made].sort((x, y) => y.createdAt - x.createdAt || (x.reference < y.reference ? 1 : -1)).map((r) => r.reference);
      expect(listed).toEqual(expected);
    });

    it('deletes finished requests once the retention period (2 years) is over, with a log line; pending ones never', async () => {
      const finished = await submitted();
      const pending = await submitted();
      await a.update(finished.reference, { status: 'inProgress', by: 'sam.nas@nhs.net' });
      await a.update(finished.reference, { status: 'done', by: 'sam.nas@nhs.net' });
      const doneAt = clock.t;
      clock.t = doneAt + 730 * DAY - 1;
      await expect(b.purgeExpired()).resolves.toEqual({ deleted: [] });
      clock.t = doneAt + 730 * DAY + 1;
      await expect(b.purgeExpired()).resolves.toEqual({ deleted: [finished.reference] });
      expect(logged).toEqual([
        {
          message: 'NAS request deleted: retention period over',
          fields: { reference: finished.reference, kind: 'registration', status: 'done', updatedAt: doneAt },
        },
      ]);
      await expect(a.get(finished.reference)).resolves.toBeUndefined();
      await expect(a.get(pending.reference)).resolves.toMatchObject({ status: 'received' });
      expect((await a.list()).requests.map((r) => r.reference)).toEqual([pending.reference]);
      await expect(a.purgeExpired()).resolves.toEqual({ deleted: [] });
      // The organisation's key went with it.
      await expect(a.submit(registration(finished.odsCode!))).resolves.toMatchObject({ outcome: 'created' });
    });
  });
}

describeNasQueuesContract('MemoryNasRequests', (clock, options) => {
  const store = new MemoryNasRequests({ ...options, now: clock.now });
  return { a: store, b: store, age: async (ms) => clock.advance(ms) };
});

describe('with a throwaway Redis', () => {
  const shared = useTwoRedisClients('nasq');
  let clientA: Redis;
  beforeAll(() => {
    ({ clientA } = shared);
  });

  describeNasQueuesContract('RedisNasRequests', (clock, options) => {
    const keyPrefix = shared.newPrefix();
    const a = new RedisNasRequests(shared.clientA, { ...options, keyPrefix, now: clock.now });
    const b = new RedisNasRequests(shared.clientB, { ...options, keyPrefix, now: clock.now });
    // Redis times how long an entry is held itself: make every held entry that much older.
    const age = async (ms: number) => {
      clock.advance(ms);
      for (const queue of ['care', 'dental'] as const) {
        const { stream } = a.queueKeys(queue);
        if (!(await clientA.exists(stream))) continue;
        const held = (await clientA.xpending(stream, NAS_CONSUMER_GROUP, 'IDLE', 0, '-', '+', 100)) as [string, string, number, number][];
        for (const [id, consumer, idle] of held) {
          await clientA.xclaim(stream, NAS_CONSUMER_GROUP, consumer, 0, id, 'IDLE', Number(idle) + ms, 'JUSTID');
        }
      }
    };
    return { a, b, age };
  });

  describe('RedisNasRequests queues', () => {
    let clock: FakeClock;
    let store: RedisNasRequests;
    beforeEach(() => {
      clock = fakeClock();
      store = new RedisNasRequests(shared.clientA, { keyPrefix: shared.newPrefix(), now: clock.now });
    });

    it('pages through more requests made in one millisecond than one index read returns', async () => {
      const made = await Promise.all(range(130).map(() => store.submit(registration(newOdsCode()))));
      const references = made.map((m) => (m.outcome === 'created' ? m.request.reference : '')).sort().reverse();
      const listed: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 5; page++) {
        const got = await store.list({ queue: 'care' }, { limit: 50, cursor });
        listed.push(...got.requests.map((r) => r.reference));
        cursor = got.nextCursor;
        if (!cursor) break;
      }
      expect(listed).toEqual(references);
    });

    it("puts the first version's requests in the queues: a pending one is taken, every one is listed", async () => {
      const keyPrefix = shared.newPrefix();
      const first = new RedisNasRequests(shared.clientA, { keyPrefix, now: clock.now });
      const write = async (reference: string, status: string) => {
        const ods = newOdsCode();
        const input = registration(ods);
        await clientA.hset(`${keyPrefix}nas:request:{${reference}}`, {
          reference,
          type: 'registration',
          status,
          odsCode: ods,
          conversationKey: input.requester.conversationKey,
          document: JSON.stringify({ details: input.details, conversationReference: input.requester.conversationReference }),
          createdAt: clock.t,
          updatedAt: clock.t,
        });
        await clientA.xadd(`${keyPrefix}nas:requests`, '*', 'reference', reference, 'type', 'registration');
      };
      await write('REG-AAAAAAAA', 'submitted');
      await write('REG-BBBBBBBB', 'completed');
      const taken = await first.take('care', 'sam.nas@nhs.net');
      expect(taken).toMatchObject({ reference: 'REG-AAAAAAAA', status: 'inProgress', version: 2 });
      await expect(first.take('care', 'sam.nas@nhs.net')).resolves.toBeUndefined();
      expect((await first.list()).requests.map((r) => r.reference).sort()).toEqual(['REG-AAAAAAAA', 'REG-BBBBBBBB']);
      // Another instance does the same once: nothing is doubled.
      const second = new RedisNasRequests(shared.clientB, { keyPrefix, now: clock.now });
      await expect(second.take('care', 'alex.nas@nhs.net')).resolves.toBeUndefined();
      expect(await clientA.xlen(second.queueKeys('care').stream)).toBe(1);
    });

    it('deletes every key of a request past its retention', async () => {
      const input = registration(newOdsCode());
      const made = await store.submit(input);
      if (made.outcome !== 'created') throw new Error('not created');
      const { reference } = made.request;
      await store.update(reference, { status: 'rejected', by: 'sam.nas@nhs.net', reason: 'closed' });
      clock.advance(731 * DAY);
      await expect(store.purgeExpired()).resolves.toEqual({ deleted: [reference] });
      const keys = store.queueKeys('care');
      for (const key of [store.requestKey(reference), store.idempotencyKeyFor(input.idempotencyKey), store.exclusiveKeyFor(input.exclusive!.key), store.conversationIndexFor(input.requester.conversationKey)]) {
        expect([key, await clientA.exists(key)]).toEqual([key, 0]);
      }
      expect(await clientA.zscore(keys.index, reference)).toBeNull();
      expect(await clientA.hexists(keys.entries, reference)).toBe(0);
    });
  });
});
