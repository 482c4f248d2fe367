import type { Redis } from 'ioredis';
import type { TurnLease } from '../../adapters/conversationStore';
import { createRedisClient, RedisConversationStore, waitUntilReady } from '../../adapters/redisConversationStore';
import { buildConversation, memoryAdapters } from '../../bot/app';
import { ConversationEngine, TurnInput } from '../../bot/engine';
import { createLogger } from '../../bot/logger';
import { startTcpProxy, TcpProxy } from '../helpers/tcpProxy';
import { FaultRedis, startFaultRedis } from './helpers/faultRedis';

/**
 * Finding 1: a commit that times out on the client while its script still runs in Redis was
 * reported as "nothing saved, send it again", and the re-sent answer was applied twice. A turn's
 * outcome is now found out before anything is said: saved, or not saved.
 */

/** quit() once connected: disconnect() of a client whose socket is gone leaves a timer behind in ioredis. */
async function closeClient(client: Redis): Promise<void> {
  await waitUntilReady(client, 3_000).catch(() => undefined);
  await client.quit().catch(() => client.disconnect());
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const { machine, dialog } = buildConversation(memoryAdapters());

describe('the outcome of a commit that failed or timed out', () => {
  let redis: FaultRedis;
  let proxy: TcpProxy;
  /** Another client, for DEBUG SLEEP and for reading what is stored. */
  let other: Redis;
  const clients: Redis[] = [];
  let conversations = 0;

  beforeAll(async () => {
    redis = await startFaultRedis();
    proxy = await startTcpProxy('127.0.0.1', redis.port);
    other = createRedisClient(redis.url);
    await waitUntilReady(other);
  });
  afterAll(async () => {
    await Promise.all([other, ...clients].map(closeClient));
    await proxy?.close();
    await redis?.stop();
  });

  /** An engine whose store talks to Redis through the proxy; `beforeCommit` runs just before each commit. */
  async function setUp(outcomeCheckMs = 5_000) {
    const client = createRedisClient(`redis://127.0.0.1:${proxy.port}`);
    clients.push(client);
    await waitUntilReady(client);
    const store = new RedisConversationStore(client, { ttlMs: 60_000, keyPrefix: 'commit-outcome:', outcomeCheckMs });
    const reader = new RedisConversationStore(other, { ttlMs: 60_000, keyPrefix: 'commit-outcome:' });
    const hooks: { beforeCommit?: () => Promise<void> } = {};
    const commit = store.commit.bind(store);
    store.commit = async (lease: TurnLease, data: string) => {
      const hook = hooks.beforeCommit;
      hooks.beforeCommit = undefined;
      await hook?.();
      return commit(lease, data);
    };
    const engine = new ConversationEngine({ machine, dialog, store, logger: createLogger('silent') });
    const conversationId = `conversation-${++conversations}`;
    let sequence = 0;
    const say = async (text: string) => {
      const input: TurnInput = { channelId: 'test', conversationId, activityId: `${conversationId}-${++sequence}`, kind: 'message', text };
      const result = await engine.turn(input);
      return { outcome: result.outcome, text: result.replies.map((r) => r.text).join('\n') };
    };
    const storedStep = async () => {
      const key = engine.conversationKey({ channelId: 'test', conversationId });
      const data = (await reader.read(key))?.data;
      return data ? (JSON.parse(data).snapshot.children.flow.snapshot.value as string) : undefined;
    };
    return { say, hooks, storedStep };
  }

  it('Redis busy (DEBUG SLEEP) while a turn commits: the turn was saved, and the user is answered as usual', async () => {
    const { say, hooks, storedStep } = await setUp();
    await say('register');
    expect((await say('care')).text).toMatch(/check 2 of 6/);
    for (const [answer, next] of [
      ['no', /check 3 of 6/],
      ['yes', /check 4 of 6/],
    ] as const) {
      // Redis stops answering for longer than the client's 2 s command timeout, with the commit
      // already on its way: it runs when Redis wakes up.
      hooks.beforeCommit = async () => {
        void other.call('DEBUG', 'SLEEP', '2.6').catch(() => undefined);
        await sleep(100);
      };
      const result = await say(answer);
      expect(result.outcome).toBe('ok');
      expect(result.text).toMatch(next);
      expect(result.text).not.toMatch(/unavailable/);
    }
    expect(await storedStep()).toBe('otpInHand');
    // The next answer moves on once: nothing was applied twice.
    expect((await say('no')).text).toMatch(/check 5 of 6/);
    expect(await storedStep()).toBe('cqcContactId');
  }, 30_000);

  it('Redis busy (DEBUG SLEEP) when a turn begins: the user is told, and the conversation is not held afterwards', async () => {
    const { say, storedStep } = await setUp();
    await say('register');
    await say('care');
    void other.call('DEBUG', 'SLEEP', '2.6').catch(() => undefined);
    await sleep(100);
    const busy = await say('no');
    expect(busy.outcome).toBe('unavailable');
    // The begin ran once Redis woke, and the turn that gave up let go of it at once (no 10 s lease).
    const started = Date.now();
    expect((await say('no')).text).toMatch(/check 3 of 6/);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await storedStep()).toBe('toolkit');
  }, 30_000);

  it('Redis unreachable during the commit, back within seconds: not saved, the user is asked to send again, and it applies once', async () => {
    const { say, hooks, storedStep } = await setUp();
    await say('register');
    await say('care');
    hooks.beforeCommit = async () => {
      await proxy.cut();
      setTimeout(() => void proxy.restore(), 600);
    };
    const result = await say('no');
    expect(result.outcome).toBe('unavailable');
    expect(result.text).toMatch(/briefly unavailable[\s\S]*send your message again/);
    expect(await storedStep()).toBe('existingAccount');
    // Sent again: taken once.
    expect((await say('no')).text).toMatch(/check 3 of 6/);
    expect(await storedStep()).toBe('toolkit');
  }, 30_000);

  it('Redis out of reach for longer than the check: the user is not told to send again', async () => {
    const { say, hooks, storedStep } = await setUp(800);
    await say('register');
    await say('care');
    hooks.beforeCommit = async () => {
      await proxy.cut();
    };
    const result = await say('no');
    expect(result.outcome).toBe('uncertain');
    expect(result.text).toMatch(/could not check whether I kept your last message[\s\S]*say "help"/);
    expect(result.text).not.toMatch(/send your message again/);
    await proxy.restore();
    expect(await storedStep()).toBe('existingAccount');
  }, 30_000);
});
