import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Redis } from 'ioredis';
import { createRedisClient, RedisConversationStore, waitUntilReady } from '../../adapters/redisConversationStore';
import { LocalChannel } from '../../bench/localChannel';
import { createAssistant } from '../../bot/app';
import { loadConfig } from '../../bot/config';
import { SCHEMA_VERSION } from '../../bot/engine';
import { createLogger } from '../../bot/logger';
import {
  BotProcess,
  buildBot,
  buttons,
  Chat,
  checkNumber,
  lastText,
  spawnBot,
  startPrivateRedis,
  statusOf,
  texts,
  waitFor,
} from '../helpers/bot';
import type { TestRedis } from '../helpers/redis';
import { FLOWS } from '../../bot/flows';

/**
 * `node dist/bot/index.js` as real processes on one Redis: a process killed with SIGKILL and a
 * new one on another port carry on the same conversation; snapshots that cannot be restored
 * start the conversation again instead of failing.
 *
 * The bot has no setting for its Redis key prefix (it always writes under `nhsca:`), so this file
 * runs its own redis-server even when REDIS_URL names a shared one.
 */

const MENU_BUTTON = 'Register my organisation for NHSmail';
/** The menu: one button for each flow, in the flow list's order. */
const MENU = FLOWS.map((flow) => flow.dialog.menuLabel);
const STARTING_AGAIN = "Sorry, I couldn't pick up our earlier conversation, so we are starting again.";

describe('bot processes sharing Redis', () => {
  let outDir: string | undefined;
  let redis: TestRedis;
  let direct: Redis;
  let channel: LocalChannel;
  const processes: BotProcess[] = [];

  /** The key of a conversation's stored state, built as the bot builds it. */
  let stateKey: (conversationId: string) => string;
  /** The stored envelope's JSON, read as the store reads it. */
  let storedData: (conversationId: string) => Promise<string>;

  const spawn = async (env: Record<string, string> = { REDIS_URL: redis.url }) => {
    const bot = await spawnBot(outDir!, env);
    processes.push(bot);
    return bot;
  };

  beforeAll(async () => {
    outDir = await buildBot();
    redis = await startPrivateRedis();
    direct = createRedisClient(redis.url);
    await waitUntilReady(direct);
    channel = await LocalChannel.start();
    const { engine } = createAssistant(loadConfig({ LOG_LEVEL: 'silent' }), createLogger('silent'));
    const store = new RedisConversationStore(direct, { ttlMs: 60_000 });
    stateKey = (conversationId) => store.keysFor(engine.conversationKey({ channelId: 'emulator', conversationId })).state;
    storedData = async (conversationId) => (await store.read(engine.conversationKey({ channelId: 'emulator', conversationId })))!.data;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await channel?.close();
    await direct?.quit().catch(() => direct.disconnect());
    await redis?.stop();
  }, 30_000);

  it('carries on a conversation after its process is killed, on a new process and port', async () => {
    const first = await spawn();
    const chat = new Chat(channel, first.url, `conv-${randomUUID()}`);
    await chat.start();
    await chat.say('register');
    const pending = await chat.answers('Care provider', 'No', 'Yes');
    expect(checkNumber(pending)).toBe(4);

    await first.kill();
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(await statusOf(first.url, '/healthz')).toBe(0);

    const second = await spawn();
    expect(second.port).not.toBe(first.port);
    chat.botUrl = second.url;

    // The question that was pending is still the one asked.
    const help = await chat.say('help');
    expect(texts(help)[0]).toMatch(/^A one-time passcode is an 8-character code/);
    expect(lastText(help)).toBe(lastText(pending));
    expect(buttons(help)).toEqual(['Yes', 'No']);

    // The earlier answers are kept.
    const back = await chat.say('back');
    expect(texts(back)[0]).toBe('Going back. Last time you answered: yes.');
    expect(checkNumber(back)).toBe(3);
    const back2 = await chat.say('back');
    expect(texts(back2)[0]).toBe('Going back. Last time you answered: no.');

    const summary = await chat.answers('No', 'Yes', 'No', 'No', 'Post');
    expect(lastText(summary)).toContain('all checks done');
    expect(lastText(summary)).toContain('• Organisation: Care provider');
    expect(lastText(summary)).toContain('• Passcode to be sent by: post');
    await second.kill();
  });

  describe('a stored conversation that cannot be restored', () => {
    let bot: BotProcess;
    /** A real stored envelope, of a conversation at the passcode question. */
    let good: { schemaVersion: number; snapshot: Record<string, any>; recentActivities: string[]; lastTurnAt: number };

    beforeAll(async () => {
      bot = await spawn();
      const chat = new Chat(channel, bot.url, `conv-${randomUUID()}`);
      await chat.start();
      expect(checkNumber(await chat.answers('register', 'Care provider', 'No', 'Yes'))).toBe(4);
      good = JSON.parse(await storedData(chat.id));
      expect(good.schemaVersion).toBe(SCHEMA_VERSION);
    }, 30_000);

    const variants: { name: string; data: () => string }[] = [
      { name: 'corrupt JSON', data: () => '{"schemaVersion":1,"snapshot":{"status":"act' },
      { name: 'JSON of another shape', data: () => JSON.stringify(['not', 'an', 'envelope']) },
      // Schema 1 is migrated (test/fault/schemaSnapshots.test.ts); 0 was never released.
      { name: 'an unknown older schemaVersion', data: () => JSON.stringify({ ...good, schemaVersion: 0 }) },
      { name: 'a newer schemaVersion', data: () => JSON.stringify({ ...good, schemaVersion: SCHEMA_VERSION + 1 }) },
      {
        name: 'a question that no longer exists',
        data: () => {
          const copy = JSON.parse(JSON.stringify(good));
          copy.snapshot.children.flow.snapshot.value = 'aQuestionRemovedInThisRelease';
          return JSON.stringify(copy);
        },
      },
      {
        name: 'a flow that no longer exists',
        data: () => {
          const copy = JSON.parse(JSON.stringify(good));
          copy.snapshot.value = { inFlow: { aFlowRemovedInThisRelease: 'active' } };
          return JSON.stringify(copy);
        },
      },
    ];

    it.each(variants)('starts again with a working menu when the snapshot is $name', async ({ data }) => {
      const chat = new Chat(channel, bot.url, `conv-${randomUUID()}`);
      await direct.hset(stateKey(chat.id), { data: data(), etag: 'written-by-the-test' });

      const hello = await chat.say('hello');
      expect(texts(hello)[0]).toBe(STARTING_AGAIN);
      expect(texts(hello).join('\n')).not.toMatch(/went wrong|unavailable/);
      expect(lastText(hello)).toBe('What would you like to do?');
      expect(buttons(hello)).toEqual(MENU);

      // The menu works, and the conversation is saved afresh: no "starting again" twice.
      const started = await chat.say(MENU_BUTTON);
      expect(texts(started)[0]).toMatch(/^Registering takes about 10 minutes/);
      expect(checkNumber(started)).toBe(1);
      expect(checkNumber(await chat.say('Dental practice'))).toBe(2);
      const stored = JSON.parse(await storedData(chat.id));
      expect(stored.schemaVersion).toBe(SCHEMA_VERSION);
    });

    it('says "starting again" and goes straight on when the first message after it picks a flow', async () => {
      const chat = new Chat(channel, bot.url, `conv-${randomUUID()}`);
      await direct.hset(stateKey(chat.id), { data: JSON.stringify({ ...good, schemaVersion: 0 }), etag: 'old' });
      const result = await chat.say('register');
      expect(texts(result)[0]).toBe(STARTING_AGAIN);
      expect(texts(result)[1]).toMatch(/^Registering takes about 10 minutes/);
      expect(checkNumber(result)).toBe(1);
    });
  });

  describe('a bot process', () => {
    it('stops with exit code 0 on SIGTERM', async () => {
      const bot = await spawn();
      const chat = new Chat(channel, bot.url, `conv-${randomUUID()}`);
      await chat.start();
      const started = Date.now();
      expect(await bot.stop()).toBe(0);
      // Well before the 5 s fallback: the server and the Redis client closed cleanly.
      expect(Date.now() - started).toBeLessThan(4_000);
    });

    it('survives a request claiming Content-Encoding: gzip whose body is not gzip', async () => {
      const bot = await spawn({});
      const { port } = new URL(bot.url);
      const status = await new Promise<number>((resolve) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            path: '/api/messages',
            method: 'POST',
            headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', () => resolve(0));
        req.end('{"type":"message"}');
      });
      // restify's bodyReader would pipe the body into zlib.createGunzip() without an 'error'
      // listener ("incorrect header check" would end the process): compressed bodies are refused.
      await waitFor(() => bot.child.exitCode !== null || status !== 0, 'an answer or an exit', 5_000);
      expect(bot.child.exitCode).toBeNull();
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
      expect(await statusOf(bot.url, '/healthz')).toBe(200);
    });
  });
});
