import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedisClient, RedisConversationStore, waitUntilReady } from '../../adapters/redisConversationStore';
import { ChannelActivity, LocalChannel } from '../../bench/localChannel';
import { ConversationEngine } from '../../bot/engine';
import { BotProcess, buildBot, checkNumber, spawnBot, startPrivateRedis } from '../helpers/bot';
import type { TestRedis } from '../helpers/redis';
import { scaled } from '../helpers/timeouts';
import { FlakyChannel, startFlakyChannel } from './helpers/flakyChannel';

/**
 * A bot process killed in the middle of a turn (SIGKILL, as a crash or an OOM kill), and the
 * channel's retry of the same activity sent to another instance: processed once, and answered.
 * Killed before it saved: the other instance waits for the dead one's lease, then does the turn.
 * Killed after it saved but before its reply went out: the other instance sends the saved reply.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a bot process killed mid-turn', () => {
  let outDir: string;
  let redis: TestRedis;
  let direct: Redis;
  let store: RedisConversationStore;
  let channel: LocalChannel;
  let teams: LocalChannel;
  let flaky: FlakyChannel;
  let flakyTeams: FlakyChannel;
  const processes: BotProcess[] = [];
  const keyOf = (channelId: string, conversationId: string) =>
    new ConversationEngine({ machine: undefined as never, dialog: undefined as never, store, logger: undefined as never }).conversationKey({ channelId, conversationId });

  beforeAll(async () => {
    outDir = await buildBot();
    redis = await startPrivateRedis();
    direct = createRedisClient(redis.url);
    await waitUntilReady(direct);
    store = new RedisConversationStore(direct, { ttlMs: 60_000 });
    channel = await LocalChannel.start();
    teams = await LocalChannel.start({ channelId: 'msteams' });
    flaky = await startFlakyChannel(channel.serviceUrl);
    flakyTeams = await startFlakyChannel(teams.serviceUrl);
  }, scaled(120_000));

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await Promise.all([flaky?.close(), flakyTeams?.close(), channel?.close(), teams?.close()]);
    await direct?.quit().catch(() => direct.disconnect());
    await redis?.stop();
  }, scaled(30_000));

  const spawn = async () => {
    const bot = await spawnBot(outDir, { REDIS_URL: redis.url, OUTBOUND_TIMEOUT_MS: '8000' });
    processes.push(bot);
    return bot;
  };

  it('before it saved: the retry on another instance waits for the lease, then is processed once', async () => {
    const [a, b] = await Promise.all([spawn(), spawn()]);
    const id = `a:${randomUUID()}`;
    // Teams asks who the user is on the first message; the channel does not answer, so the
    // turn is still running (not saved) when its process dies.
    flakyTeams.mode = 'hang';
    const register: ChannelActivity = teams.activity(id, {
      type: 'message',
      text: 'register',
      serviceUrl: flakyTeams.serviceUrl,
      conversation: { id, conversationType: 'personal' } as never,
    });
    const lost = teams.send(a.url, register).catch((error: Error) => error);
    await sleep(1_000);
    expect(await store.read(keyOf('msteams', id))).toBeNull();
    await a.kill();
    // The channel saw the connection drop (no answer).
    expect((await lost) as { status?: number }).not.toHaveProperty('status');

    flakyTeams.mode = 'pass';
    const retried = await teams.send(b.url, { ...register });
    expect(retried.status).toBe(200);
    expect(checkNumber(retried)).toBe(1);
    // Once: the next answer is the next question.
    const next = await teams.send(b.url, teams.activity(id, { type: 'message', text: 'care provider', serviceUrl: flakyTeams.serviceUrl, conversation: { id, conversationType: 'personal' } as never }));
    expect(checkNumber(next)).toBe(2);
    await b.kill();
  }, scaled(60_000));

  it('after it saved, before its reply went out: the retry on another instance gets the saved reply, and is not applied again', async () => {
    const [a, b] = await Promise.all([spawn(), spawn()]);
    const id = `conv-${randomUUID()}`;
    const message = (text: string) => channel.message(id, text, { serviceUrl: flaky.serviceUrl });
    await channel.send(a.url, message('register'));
    const care = message('care provider');
    flaky.mode = 'hang';
    const postsBefore = flaky.posts;
    const lost = channel.send(a.url, care).catch((error: Error) => error);
    // Saved: the conversation is at check 2, the reply is stuck on its way to the channel.
    const deadline = Date.now() + scaled(10_000);
    while (flaky.posts === postsBefore && Date.now() < deadline) await sleep(20);
    const saved = JSON.parse((await store.read(keyOf('emulator', id)))!.data);
    expect(saved.snapshot.children.flow.snapshot.value).toEqual({ checks: 'existingAccount' });
    await a.kill();
    expect((await lost) as { status?: number }).not.toHaveProperty('status');

    flaky.mode = 'pass';
    const retried = await channel.send(b.url, { ...care });
    expect(retried.status).toBe(200);
    expect(checkNumber(retried)).toBe(2);
    expect(checkNumber(await channel.send(b.url, message('no')))).toBe(3);
    await b.kill();
  }, scaled(60_000));
});
