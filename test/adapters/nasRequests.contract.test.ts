import { randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { StoreUnavailableError } from '../../adapters/conversationStore';
import { MemoryNasRequests } from '../../adapters/memoryNasRequests';
import { NasRequest, NasRequests, NasRequestStatus, RegistrationRequestDetails } from '../../adapters/nasRequests';
import { OTP_ALPHABET } from '../../adapters/oneTimePasscodes';
import { createRedisClient, waitUntilReady } from '../../adapters/redisConversationStore';
import { NAS_CONSUMER_GROUP, RedisNasRequests } from '../../adapters/redisNasRequests';
import { deleteKeysWithPrefix, startRedis, TestRedis, uniquePrefix, useTwoRedisClients } from '../helpers/redis';
import { FakeClock, fakeClock } from '../helpers/clock';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const REFERENCE_PATTERN = new RegExp(`^REG-[${OTP_ALPHABET}]{8}$`);


const newOdsCode = () => `V${randomBytes(3).toString('hex').toUpperCase()}`;
const newConversationKey = () => `conv-${randomUUID()}`;

function detailsFor(odsCode: string, name = 'Rose Court Care Home'): RegistrationRequestDetails {
  return {
    organisation: { kind: 'care', name, odsCode, cqcLocationId: '1-1002733005' },
    town: 'leeds',
    sharedMailboxAddress: `care.leeds.rosecourtcarehome${odsCode.toLowerCase()}@nhs.net`,
    members: [
      {
        title: 'Mrs',
        firstName: 'Jane',
        lastName: "O'Neill",
        email: 'jane.oneill@example.org',
        mobile: '+447700900123',
        role: 'Registered Manager',
        sharedMailboxAccess: true,
        mailboxAdmin: true,
        owner: true,
      },
      {
        firstName: 'Sam',
        lastName: 'Patel-Jones',
        email: 'sam@example.org',
        mobile: '+447700900456',
        role: 'Deputy Manager',
        sharedMailboxAccess: false,
        mailboxAdmin: false,
        owner: false,
      },
    ],
    verifiedBy: 'otp',
  };
}

const conversationReferenceFor = (key: string) => ({
  channelId: 'msteams',
  serviceUrl: 'https://smba.example.net/emea/',
  conversation: { id: key },
  bot: { id: 'bot-id', name: 'NHSmail assistant' },
});

/** NasRequests plus the status update the tests need to end a pending request. */
type WithStatus = NasRequests & { updateStatus(reference: string, status: NasRequestStatus): Promise<NasRequest | undefined> };

/**
 * What every NasRequests must do. `open` returns two instances over the same storage (for Redis,
 * two stores on two clients; in memory, the one store twice).
 */
export function describeNasRequestsContract(name: string, open: (clock: FakeClock) => [WithStatus, WithStatus]): void {
  describe(`${name} (NasRequests contract)`, () => {
    let clock: FakeClock;
    let a: WithStatus;
    let b: WithStatus;
    let ods: string;

    beforeEach(() => {
      clock = fakeClock();
      [a, b] = open(clock);
      ods = newOdsCode();
    });

    const submit = (store: NasRequests, conversationKey: string, odsCode = ods, name?: string) =>
      store.submitRegistration({
        details: detailsFor(odsCode, name),
        conversationKey,
        conversationReference: conversationReferenceFor(conversationKey),
      });

    it('stores a submitted registration with a REG- reference, readable from any instance', async () => {
      const conversationKey = newConversationKey();
      const { request, created } = await submit(a, conversationKey);
      expect(created).toBe(true);
      expect(request).toEqual({
        reference: expect.stringMatching(REFERENCE_PATTERN),
        type: 'registration',
        status: 'submitted',
        details: detailsFor(ods),
        conversationReference: conversationReferenceFor(conversationKey),
        conversationKey,
        createdAt: clock.t,
        updatedAt: clock.t,
      });
      await expect(b.get(request.reference)).resolves.toEqual(request);
      await expect(a.pendingForOdsCode(ods)).resolves.toEqual(request);
      await expect(b.pendingForOdsCode(ods.toLowerCase())).resolves.toEqual(request);
    });

    it('answers undefined for unknown references and ODS codes', async () => {
      await expect(a.get('REG-ABCDEFGH')).resolves.toBeUndefined();
      await expect(a.pendingForOdsCode(ods)).resolves.toBeUndefined();
      await expect(a.updateStatus('REG-ABCDEFGH', 'completed')).resolves.toBeUndefined();
    });

    it('returns the first request when the same conversation submits again', async () => {
      const conversationKey = newConversationKey();
      const first = await submit(a, conversationKey);
      clock.advance(60_000);
      const again = await submit(b, conversationKey, ods, 'A Different Name');
      expect(again).toEqual({ request: first.request, created: false });
      // Even for another organisation: a conversation raises one registration.
      await expect(submit(a, conversationKey, newOdsCode())).resolves.toEqual({ request: first.request, created: false });
    });

    it('returns the pending request when another conversation submits for the same ODS code', async () => {
      const first = await submit(a, newConversationKey());
      await expect(submit(b, newConversationKey())).resolves.toEqual({ request: first.request, created: false });
      await expect(submit(a, newConversationKey(), ods.toLowerCase())).resolves.toEqual({
        request: first.request,
        created: false,
      });
      const other = await submit(b, newConversationKey(), newOdsCode());
      expect(other.created).toBe(true);
      expect(other.request.reference).not.toBe(first.request.reference);
    });

    it('creates exactly one request when 10 conversations submit at once on two instances', async () => {
      const results = await Promise.all(range(10).map((i) => submit(i % 2 ? a : b, newConversationKey())));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.request.reference)).size).toBe(1);
      const conversationKey = newConversationKey();
      const same = await Promise.all(range(10).map((i) => submit(i % 2 ? a : b, conversationKey, newOdsCode())));
      expect(same.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(same.map((r) => r.request.reference)).size).toBe(1);
    });

    it('stops blocking the ODS code once the request is no longer pending', async () => {
      const conversationKey = newConversationKey();
      const first = await submit(a, conversationKey);
      clock.advance(1_000);
      const inProgress = await b.updateStatus(first.request.reference, 'in-progress');
      expect(inProgress).toEqual({ ...first.request, status: 'in-progress', updatedAt: clock.t });
      await expect(a.pendingForOdsCode(ods)).resolves.toEqual(inProgress);
      await expect(submit(a, newConversationKey())).resolves.toEqual({ request: inProgress, created: false });

      clock.advance(1_000);
      const rejected = await a.updateStatus(first.request.reference, 'rejected');
      expect(rejected).toMatchObject({ status: 'rejected', updatedAt: clock.t, createdAt: first.request.createdAt });
      await expect(b.pendingForOdsCode(ods)).resolves.toBeUndefined();
      await expect(b.get(first.request.reference)).resolves.toEqual(rejected);
      // The first conversation still gets its own request back…
      await expect(submit(b, conversationKey)).resolves.toEqual({ request: rejected, created: false });
      // …another conversation may register the organisation again.
      const second = await submit(b, newConversationKey());
      expect(second.created).toBe(true);
      expect(second.request.reference).not.toBe(first.request.reference);
      await expect(a.pendingForOdsCode(ods)).resolves.toEqual(second.request);
    });

    it('draws references at random', async () => {
      const results = await Promise.all(range(50).map(() => submit(a, newConversationKey(), newOdsCode())));
      const references = results.map((r) => r.request.reference);
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
    return [
      new RedisNasRequests(clientA, { keyPrefix, now: clock.now }),
      new RedisNasRequests(clientB, { keyPrefix, now: clock.now }),
    ];
  });

  describe('RedisNasRequests storage', () => {
    const submit = (store: NasRequests, odsCode: string, conversationKey = newConversationKey()) =>
      store.submitRegistration({
        details: detailsFor(odsCode),
        conversationKey,
        conversationReference: conversationReferenceFor(conversationKey),
      });

    it('writes one hash, both indexes and one stream entry for 10 concurrent submissions', async () => {
      const keyPrefix = newPrefix();
      const a = new RedisNasRequests(clientA, { keyPrefix });
      const b = new RedisNasRequests(clientB, { keyPrefix });
      const ods = newOdsCode();
      const conversationKeys = range(10).map(() => newConversationKey());
      const results = await Promise.all(conversationKeys.map((key, i) => submit(i % 2 ? a : b, ods, key)));
      const { request } = results.find((r) => r.created)!;

      expect(await clientA.xlen(a.streamKey)).toBe(1);
      const entries = await clientA.xrange(a.streamKey, '-', '+');
      expect(entries).toHaveLength(1);
      expect(entries[0][1]).toEqual(['reference', request.reference, 'type', 'registration']);

      expect(a.streamKey).toBe(`${keyPrefix}nas:requests`);
      expect(a.requestKey(request.reference)).toBe(`${keyPrefix}nas:request:{${request.reference}}`);
      const hash = await clientA.hgetall(a.requestKey(request.reference));
      expect(hash).toMatchObject({
        reference: request.reference,
        type: 'registration',
        status: 'submitted',
        odsCode: ods,
        conversationKey: request.conversationKey,
        createdAt: String(request.createdAt),
        updatedAt: String(request.updatedAt),
      });
      expect(JSON.parse(hash.document)).toEqual({
        details: request.details,
        conversationReference: request.conversationReference,
      });
      expect(await clientA.get(a.pendingKeyFor(ods))).toBe(request.reference);
      expect(await clientA.get(`${keyPrefix}nas:pending-ods:{${ods}}`)).toBe(request.reference);
      const owners = await Promise.all(conversationKeys.map((key) => clientA.get(a.conversationKeyFor(key))));
      expect(owners.filter((ref) => ref === request.reference)).toHaveLength(1);
      expect(owners.filter((ref) => ref === null)).toHaveLength(9);
      expect(await clientA.get(`${keyPrefix}nas:by-conversation:{${request.conversationKey}}`)).toBe(request.reference);
      // Nothing expires.
      expect(await clientA.pttl(a.requestKey(request.reference))).toBe(-1);
    });

    it('lets NAS workers read new requests with the nas-workers consumer group', async () => {
      const keyPrefix = newPrefix();
      const store = new RedisNasRequests(clientA, { keyPrefix });
      const first = await submit(store, newOdsCode());
      const second = await submit(store, newOdsCode());
      await submit(store, first.request.details.organisation.odsCode); // a duplicate: no new entry

      const groups = (await clientA.xinfo('GROUPS', store.streamKey)) as unknown[][];
      expect(groups).toHaveLength(1);
      expect(groups[0]).toEqual(expect.arrayContaining(['name', NAS_CONSUMER_GROUP]));

      const read = (await clientB.xreadgroup(
        'GROUP',
        NAS_CONSUMER_GROUP,
        'worker-1',
        'COUNT',
        10,
        'STREAMS',
        store.streamKey,
        '>',
      )) as [string, [string, string[]][]][];
      expect(read).toHaveLength(1);
      const [stream, entries] = read[0];
      expect(stream).toBe(store.streamKey);
      expect(entries.map(([, fields]) => fields)).toEqual([
        ['reference', first.request.reference, 'type', 'registration'],
        ['reference', second.request.reference, 'type', 'registration'],
      ]);
      // The worker loads the request by its reference, and acknowledges the entry.
      await expect(store.get(first.request.reference)).resolves.toEqual(first.request);
      expect(await clientB.xack(store.streamKey, NAS_CONSUMER_GROUP, ...entries.map(([id]) => id))).toBe(2);

      // Creating the group again is harmless.
      await expect(store.ensureConsumerGroup()).resolves.toBeUndefined();
      await expect(new RedisNasRequests(clientA, { keyPrefix: newPrefix() }).ensureConsumerGroup()).resolves.toBeUndefined();
    });

    it('gives a group created before the first request every entry', async () => {
      const store = new RedisNasRequests(clientA, { keyPrefix: newPrefix() });
      await store.ensureConsumerGroup();
      const { request } = await submit(store, newOdsCode());
      const read = (await clientA.xreadgroup('GROUP', NAS_CONSUMER_GROUP, 'w', 'STREAMS', store.streamKey, '>')) as [
        string,
        [string, string[]][],
      ][];
      expect(read[0][1].map(([, fields]) => fields[1])).toEqual([request.reference]);
    });

    it('fails with StoreUnavailableError when Redis cannot be reached', async () => {
      const client = createRedisClient(redis.url);
      await waitUntilReady(client);
      await client.quit();
      const store = new RedisNasRequests(client, { keyPrefix: newPrefix() });
      await expect(submit(store, newOdsCode())).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.get('REG-ABCDEFGH')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.pendingForOdsCode('VABC1')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.updateStatus('REG-ABCDEFGH', 'completed')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.ensureConsumerGroup()).rejects.toBeInstanceOf(StoreUnavailableError);
    });
  });
});
