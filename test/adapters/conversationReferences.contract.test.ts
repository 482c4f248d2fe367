import { randomBytes } from 'node:crypto';
import { ConversationReferences, keptReference, KeptReference } from '../../adapters/conversationReferences';
import { MemoryConversationReferences } from '../../adapters/memoryConversationReferences';
import { RedisConversationReferences } from '../../adapters/redisConversationReferences';
import { FakeClock, fakeClock } from '../helpers/clock';
import { useTwoRedisClients } from '../helpers/redis';

const DAY = 24 * 60 * 60 * 1000;
const TTL = 30 * DAY;
const newKey = () => randomBytes(16).toString('base64url');
const teams = (n: number): KeptReference => ({
  channelId: 'msteams',
  serviceUrl: 'https://smba.trafficmanager.net/uk/',
  conversation: { id: `a:conversation-${n}`, conversationType: 'personal', tenantId: 'tenant-1' },
  user: { id: `29:user-${n}` },
  bot: { id: '28:bot' },
  locale: 'en-GB',
});

export function describeReferencesContract(name: string, open: (clock: FakeClock) => [ConversationReferences, ConversationReferences]): void {
  describe(`${name} (ConversationReferences contract)`, () => {
    let clock: FakeClock;
    let a: ConversationReferences;
    let b: ConversationReferences;

    beforeEach(() => {
      clock = fakeClock();
      [a, b] = open(clock);
    });

    it('keeps a reference for another instance to use, refreshed by every save, for the state’s lifetime', async () => {
      const key = newKey();
      await expect(b.get(key)).resolves.toBeUndefined();
      await a.save(key, teams(1));
      await expect(b.get(key)).resolves.toEqual(teams(1));
      clock.advance(20 * DAY);
      await b.save(key, { ...teams(1), serviceUrl: 'https://smba.trafficmanager.net/emea/' });
      clock.advance(20 * DAY);
      await expect(a.get(key)).resolves.toEqual({ ...teams(1), serviceUrl: 'https://smba.trafficmanager.net/emea/' });
      clock.advance(10 * DAY);
      await expect(a.get(key)).resolves.toBeUndefined();
    });

    it("finds a person's conversations by email or UPN in any case, newest first, only while they are kept", async () => {
      const [first, second, other] = [newKey(), newKey(), newKey()];
      await a.save(first, teams(1), ['Jane.Smith@nhs.net', 'jane.smith@care.example']);
      clock.advance(1_000);
      await b.save(second, { ...teams(2), channelId: 'webchat' }, ['jane.smith@nhs.net']);
      await a.save(other, teams(3), ['someone.else@nhs.net']);
      await expect(b.findByUser('JANE.SMITH@NHS.NET')).resolves.toEqual([
        { key: second, reference: { ...teams(2), channelId: 'webchat' } },
        { key: first, reference: teams(1) },
      ]);
      await expect(a.findByUser(' jane.smith@nhs.net ', 'msteams')).resolves.toEqual([{ key: first, reference: teams(1) }]);
      await expect(a.findByUser('Jane.Smith@care.example')).resolves.toEqual([{ key: first, reference: teams(1) }]);
      await expect(a.findByUser('nobody@nhs.net')).resolves.toEqual([]);
      clock.advance(TTL);
      await expect(a.findByUser('jane.smith@nhs.net')).resolves.toEqual([]);
    });

    it('remembers the activity sent under a tag, to update it in place; a later one replaces it', async () => {
      const key = newKey();
      await expect(a.sent(key, 'status:REG-7KD9QX2P')).resolves.toBeUndefined();
      await a.rememberSent(key, 'status:REG-7KD9QX2P', { id: 'activity-1', timestamp: '2025-01-06T09:00:00.000Z' });
      await b.rememberSent(key, 'status:REG-OTHER', { id: 'activity-2' });
      await expect(b.sent(key, 'status:REG-7KD9QX2P')).resolves.toEqual({ id: 'activity-1', timestamp: '2025-01-06T09:00:00.000Z' });
      await a.rememberSent(key, 'status:REG-7KD9QX2P', { id: 'activity-3' });
      await expect(b.sent(key, 'status:REG-7KD9QX2P')).resolves.toEqual({ id: 'activity-3' });
      await expect(a.sent(key, 'status:REG-OTHER')).resolves.toEqual({ id: 'activity-2' });
      clock.advance(TTL);
      await expect(a.sent(key, 'status:REG-OTHER')).resolves.toBeUndefined();
    });

    it('claims a delivery once across instances; a claim given back can be taken again', async () => {
      const key = newKey();
      const claims = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).claim(key, 'REG-7KD9QX2P:v3')));
      expect(claims.filter(Boolean)).toHaveLength(1);
      await expect(a.claim(key, 'REG-7KD9QX2P:v4')).resolves.toBe(true);
      await expect(b.claim(newKey(), 'REG-7KD9QX2P:v3')).resolves.toBe(true);
      await b.unclaim(key, 'REG-7KD9QX2P:v3');
      await expect(a.claim(key, 'REG-7KD9QX2P:v3')).resolves.toBe(true);
      clock.advance(TTL);
      await expect(b.claim(key, 'REG-7KD9QX2P:v4')).resolves.toBe(true);
    });

    it('forgets everything about a conversation', async () => {
      const key = newKey();
      await a.save(key, teams(1), ['jane.smith@nhs.net']);
      await a.rememberSent(key, 'status:X', { id: 'activity-1' });
      await a.claim(key, 'X:v1');
      await b.forget(key);
      await expect(a.get(key)).resolves.toBeUndefined();
      await expect(a.sent(key, 'status:X')).resolves.toBeUndefined();
      await expect(a.claim(key, 'X:v1')).resolves.toBe(true);
      await expect(a.findByUser('jane.smith@nhs.net')).resolves.toEqual([]);
    });
  });
}

describeReferencesContract('MemoryConversationReferences', (clock) => {
  const references = new MemoryConversationReferences({ ttlMs: TTL, now: clock.now });
  return [references, references];
});

describe('RedisConversationReferences', () => {
  const redis = useTwoRedisClients('references');

  describeReferencesContract('RedisConversationReferences', (clock) => {
    const keyPrefix = redis.newPrefix();
    return [
      new RedisConversationReferences(redis.clientA, { ttlMs: TTL, now: clock.now, keyPrefix }),
      new RedisConversationReferences(redis.clientB, { ttlMs: TTL, now: clock.now, keyPrefix }),
    ];
  });

  it('keeps no address in Redis, only hashes; a conversation’s keys share its state’s hash tag', async () => {
    const keyPrefix = redis.newPrefix();
    const references = new RedisConversationReferences(redis.clientA, { ttlMs: TTL, keyPrefix });
    const key = newKey();
    await references.save(key, teams(1), ['Jane.Smith@nhs.net']);
    await references.rememberSent(key, 'status:X', { id: 'activity-1' });
    await references.claim(key, 'X:v1');
    const keys = (await redis.clientA.keys(`${keyPrefix}*`)).map((k) => k.slice(keyPrefix.length)).sort();
    expect(keys.filter((k) => k.startsWith(`{${key}}:`)).sort()).toEqual([`{${key}}:claims`, `{${key}}:reference`, `{${key}}:sent`]);
    expect(keys.filter((k) => k.startsWith('user:'))).toHaveLength(1);
    const dump = JSON.stringify(await Promise.all(keys.map((k) => redis.clientA.type(`${keyPrefix}${k}`))));
    const values = await Promise.all(
      keys.map(async (k) => {
        const full = `${keyPrefix}${k}`;
        const type = await redis.clientA.type(full);
        if (type === 'string') return redis.clientA.get(full);
        if (type === 'hash') return JSON.stringify(await redis.clientA.hgetall(full));
        return JSON.stringify(await redis.clientA.zrange(full, '0', '-1'));
      }),
    );
    expect(`${keys.join(' ')} ${values.join(' ')} ${dump}`.toLowerCase()).not.toContain('jane');
  });
});

describe('keptReference', () => {
  const full = {
    activityId: 'f:123',
    user: { id: '29:user', name: 'Jane Smith', aadObjectId: 'aad-1' },
    bot: { id: '28:bot', name: 'NHSmail care assistant' },
    conversation: { id: 'a:1', conversationType: 'personal', tenantId: 't', isGroup: false, name: 'Chat with Jane Smith' },
    channelId: 'msteams',
    locale: 'en-GB',
    serviceUrl: 'https://smba.trafficmanager.net/uk/',
  };

  it('keeps ids, never names', () => {
    expect(keptReference(full)).toEqual({
      channelId: 'msteams',
      serviceUrl: 'https://smba.trafficmanager.net/uk/',
      conversation: { id: 'a:1', conversationType: 'personal', tenantId: 't', isGroup: false },
      user: { id: '29:user' },
      bot: { id: '28:bot' },
      locale: 'en-GB',
    });
    expect(JSON.stringify(keptReference(full))).not.toMatch(/Jane|aad-1/);
  });

  it.each([
    ['nothing', undefined],
    ['a string', 'msteams'],
    ['no channel', { ...full, channelId: undefined }],
    ['no service URL', { ...full, serviceUrl: '' }],
    ['no conversation id', { ...full, conversation: { name: 'x' } }],
    ['no bot', { ...full, bot: undefined }],
    ['a conversation id that is not text', { ...full, conversation: { id: 42 as unknown as string } }],
  ])('refuses %s', (_name, reference) => {
    expect(keptReference(reference)).toBeUndefined();
  });
});
