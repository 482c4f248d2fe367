import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedisClient, RedisConversationStore, waitUntilReady } from '../../adapters/redisConversationStore';
import { LocalChannel, SendResult } from '../../bench/localChannel';
import { Chat, checkNumber, RunningBot, startBot, startPrivateRedis } from '../helpers/bot';
import type { TestRedis } from '../helpers/redis';
import { scaled } from '../helpers/timeouts';

/**
 * Finding 3: a flood into one conversation (6,815 messages a minute) was answered message by
 * message, its queue grew to thousands of entries polled every 15 ms, and other conversations
 * slowed to seconds. Now the conversation is rate-limited (30 a minute, a burst of 10), at most
 * 10 turns wait, the flood is told once to slow down, and others are not held up.
 */

const PRODUCTION_LIMITS = { RATE_LIMIT_PER_MINUTE: '30', RATE_LIMIT_BURST: '10', USER_RATE_LIMIT_PER_MINUTE: '60', USER_RATE_LIMIT_BURST: '20', CONVERSATION_QUEUE_MAX: '10' };
const FLOOD = 400;
const AT_ONCE = 40;

describe('a flood into one conversation, on two instances sharing Redis', () => {
  let redis: TestRedis;
  let direct: Redis;
  let botA: RunningBot;
  let botB: RunningBot;
  let channel: LocalChannel;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    direct = createRedisClient(redis.url);
    await waitUntilReady(direct);
    channel = await LocalChannel.start();
    [botA, botB] = await Promise.all([
      startBot({ REDIS_URL: redis.url, ...PRODUCTION_LIMITS }),
      startBot({ REDIS_URL: redis.url, ...PRODUCTION_LIMITS }),
    ]);
  }, scaled(30_000));

  afterAll(async () => {
    await Promise.all([botA?.close(), botB?.close()]);
    await channel?.close();
    await direct?.quit().catch(() => direct.disconnect());
    await redis?.stop();
  });

  it('limits the flooded conversation, tells it once, caps its queue, and keeps serving another conversation', async () => {
    const flooded = `flood-${randomUUID()}`;
    const queueKey = new RedisConversationStore(direct, { ttlMs: 60_000 }).keysFor(
      botA.assistant.engine.conversationKey({ channelId: 'emulator', conversationId: flooded }),
    ).queue;
    await new Chat(channel, botA.url, flooded).start();

    // The flood: FLOOD messages, AT_ONCE in flight at a time, alternating between the instances.
    // Each is a different user id too, so the per-user limit does not hide the per-conversation one.
    let sent = 0;
    const statuses: number[] = [];
    let longestQueue = 0;
    let flooding = true;
    const sampler = (async () => {
      while (flooding) {
        longestQueue = Math.max(longestQueue, await direct.llen(queueKey));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const sender = async () => {
      while (sent < FLOOD) {
        const n = sent++;
        const bot = n % 2 === 0 ? botA : botB;
        const activity = channel.message(flooded, 'help', { from: { id: `flooder-${n % 7}`, name: 'Flooder' } });
        const result = await channel.send(bot.url, activity);
        statuses.push(result.status);
      }
    };
    const floodStarted = Date.now();
    const flood = Promise.all(Array.from({ length: AT_ONCE }, sender));

    // Meanwhile a user elsewhere goes through the questionnaire, one answer after another.
    const victim = new Chat(channel, botB.url, `victim-${randomUUID()}`);
    await victim.start();
    const slowest: number[] = [];
    let result: SendResult | undefined;
    for (const [i, text] of ['register', 'care provider', 'no', 'yes', 'no', 'no'].entries()) {
      const started = Date.now();
      result = await victim.say(text);
      slowest.push(Date.now() - started);
      expect(checkNumber(result)).toBe(i + 1);
    }
    await flood;
    const floodSeconds = (Date.now() - floodStarted) / 1000;
    flooding = false;
    await sampler;

    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const transcript = channel.transcript(flooded).map((a) => a.text ?? '');
    const answered = transcript.filter((t) => t.startsWith('Choose what you want to do from the menu'));
    const notices = transcript.filter((t) => /coming faster than I can take them|still waiting for an answer/.test(t));
    // The burst (10, one of which the greeting took), and a token every 2 s while the flood lasts
    // (longer on a loaded machine: the bound follows the time it took).
    expect(answered.length).toBeGreaterThanOrEqual(9);
    expect(answered.length).toBeLessThanOrEqual(10 + Math.ceil(floodSeconds / 2) + 1);
    expect(answered.length).toBeLessThan(FLOOD / 4);
    // Told, but not message for message: once per wait and instance.
    expect(notices.length).toBeGreaterThan(0);
    expect(notices.length).toBeLessThan(FLOOD / 10);
    expect(longestQueue).toBeLessThanOrEqual(10);
    // Nobody else waits behind the flood (a hang would be seconds).
    expect(Math.max(...slowest)).toBeLessThan(scaled(2_000));
    // The flooded conversation is intact and answers again once it is quiet.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const after = await new Chat(channel, botA.url, flooded).say('register');
    expect(checkNumber(after)).toBe(1);
  }, scaled(90_000));

  it('limits one user across conversations, in each instance', async () => {
    const user = { id: `user-${randomUUID()}`, name: 'Fast typist' };
    const started = Date.now();
    // 40 conversations at once (the per-user limit is checked before any of them begins).
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => channel.send(botA.url, channel.message(`many-${i}-${randomUUID()}`, 'hello', { from: user }))),
    );
    const greeted = results.filter((r) => r.replies.some((a) => /NHSmail care assistant/.test(a.text ?? '')));
    const told = results.filter((r) => r.replies.some((a) => /coming faster than I can take them/.test(a.text ?? '')));
    expect(results.every((r) => r.status === 200)).toBe(true);
    // A burst of 20, then one a second (60 a minute) for as long as the 40 messages took.
    expect(greeted.length).toBeGreaterThanOrEqual(20);
    expect(greeted.length).toBeLessThanOrEqual(20 + Math.ceil((Date.now() - started) / 1000));
    expect(greeted.length).toBeLessThan(40);
    expect(told.length).toBeGreaterThan(0);
  }, scaled(30_000));
});
