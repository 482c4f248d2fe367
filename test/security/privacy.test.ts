import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { createRedisClient, waitUntilReady } from '../../adapters/redisConversationStore';
import { RedisOutbox } from '../../adapters/redisOutbox';
import { LocalChannel } from '../../bench/localChannel';
import { createLogger } from '../../bot/logger';
import { buttons, Chat, inventedMember, lastText, RunningBot, startBot, startPrivateRedis, texts } from '../helpers/bot';
import type { TestRedis } from '../helpers/redis';
import { scaled } from '../helpers/timeouts';

/**
 * What the service keeps about people, and for how long: a whole registration at
 * LOG_LEVEL=trace leaves no email, phone number, name or passcode in any log line; afterwards the
 * passcode is in Redis only where the outbox keeps it for delivery (with its TTL); conversation
 * state expires after STATE_TTL_DAYS; "delete my data" erases the conversation's state and says
 * what NAS keeps and why.
 */

/** Everything stored in Redis, key by key, as text. */
async function dump(redis: Redis): Promise<Map<string, { value: string; ttl: number }>> {
  const all = new Map<string, { value: string; ttl: number }>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const type = await redis.type(key);
      const value =
        type === 'string'
          ? await redis.get(key)
          : type === 'hash'
            ? JSON.stringify(await redis.hgetall(key))
            : type === 'stream'
              ? JSON.stringify(await redis.xrange(key, '-', '+'))
              : type === 'list'
                ? JSON.stringify(await redis.lrange(key, 0, -1))
                : type === 'zset'
                  ? JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES'))
                  : type === 'set'
                    ? JSON.stringify(await redis.smembers(key))
                    : '';
      all.set(key, { value: value ?? '', ttl: await redis.pttl(key) });
    }
  } while (cursor !== '0');
  return all;
}

describe('personal data and passcodes, in a whole registration over Redis', () => {
  let redis: TestRedis;
  let direct: Redis;
  let bot: RunningBot;
  let channel: LocalChannel;
  const lines: string[] = [];
  const owner = inventedMember(3, 77);
  const second = inventedMember(8, 77);
  const managerEmail = 'manager@amazingcarehomes.co.uk';
  let passcode = '';
  let reference = '';
  let chat: Chat;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    direct = createRedisClient(redis.url);
    await waitUntilReady(direct);
    channel = await LocalChannel.start();
    const logger = createLogger('trace', new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }));
    bot = await startBot({ REDIS_URL: redis.url, LOG_LEVEL: 'trace' }, { logger });
    chat = new Chat(channel, bot.url, `privacy-${randomUUID()}`);
  }, scaled(30_000));

  afterAll(async () => {
    await bot?.close();
    await channel?.close();
    await direct?.quit().catch(() => direct.disconnect());
    await redis?.stop();
  });

  it('registers with a passcode sent by email, two members typed as people type', async () => {
    await chat.start();
    await chat.answers('register', 'care provider', 'no', 'yes', 'no', 'no', 'by email', 'continue', 'LS6 1BN', '1');
    // The CQC location ID is asked before the passcode is sent.
    expect(lastText(await chat.say(managerEmail))).toMatch(/CQC location ID/);
    const awaiting = await chat.say('1-1002733005');
    expect(lastText(awaiting)).toMatch(/sent a one-time passcode by email/);
    // Read back through the outbox's own API, as a delivery provider would.
    const [email] = await bot.assistant.adapters.outbox.latest(1);
    passcode = /is: ([A-Z2-9]{8})/.exec(email!.body)![1]!;
    await chat.answers('I have my passcode');
    // Typed in lower case with a dash, as people do.
    expect(lastText(await chat.say(`${passcode.slice(0, 4).toLowerCase()}-${passcode.slice(4).toLowerCase()}`))).toMatch(/is verified/);
    await chat.answers('Leeds', 'leeds', 'continue');
    await chat.answers('Mrs', owner.firstName, owner.lastName, owner.email, owner.mobile, 'Registered Manager');
    await chat.answers('add another', 'Mr', second.firstName, second.lastName, second.email, second.mobile, 'Nurse', 'no', 'yes', 'no');
    await chat.say('done');
    const done = await chat.say('confirm and finish');
    reference = /REG-[A-Z2-9]{8}/.exec(lastText(done))![0]!;
  }, scaled(60_000));

  it('wrote logs at trace level, none of them holding an email, phone number, name or passcode typed', () => {
    expect(lines.length).toBeGreaterThan(30);
    const log = lines.join('').toLowerCase();
    const typed = [
      managerEmail,
      passcode,
      `${passcode.slice(0, 4)}-${passcode.slice(4)}`,
      ...[owner, second].flatMap((m) => [m.firstName, m.lastName, m.email, m.mobile, m.e164, m.mobile.replace(/\s/g, '')]),
    ];
    const found = typed.filter((value) => log.includes(value.toLowerCase()));
    expect(found).toEqual([]);
  });

  it('keeps the passcode in Redis only where the outbox holds it for delivery, with a TTL', async () => {
    const stored = await dump(direct);
    const outbox = new RedisOutbox(direct);
    const holding = [...stored].filter(([, { value }]) => value.toUpperCase().includes(passcode)).map(([key, { ttl }]) => ({ key, ttl }));
    expect(holding.length).toBe(1);
    expect(holding[0]!.key).toMatch(/^nhsca:\{outbox\}:content:.+$/);
    expect(holding[0]!.key).toBe(outbox.contentKeyFor((await bot.assistant.adapters.outbox.latest(1))[0]!.id));
    expect(holding[0]!.ttl).toBeGreaterThan(0);
    expect(holding[0]!.ttl).toBeLessThanOrEqual(72 * 60 * 60 * 1000);
    // And nothing at all without an expiry holds a typed email or mobile, but NAS's request.
    const personal = [owner.email, second.email, owner.e164, second.e164, managerEmail];
    const forever = [...stored].filter(([, { value, ttl }]) => ttl < 0 && personal.some((p) => value.includes(p))).map(([key]) => key);
    expect(forever.every((key) => key.startsWith('nhsca:nas:'))).toBe(true);
  });

  it('keeps conversation state for STATE_TTL_DAYS (30 by default), refreshed on every message', async () => {
    const key = bot.assistant.engine.conversationKey({ channelId: 'emulator', conversationId: chat.id });
    const ttl = await direct.pttl(`nhsca:{${key}}:state`);
    expect(ttl).toBeGreaterThan(30 * 24 * 60 * 60 * 1000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(30 * 24 * 60 * 60 * 1000);
  });

  it('"delete my data": says what would go and what NAS keeps, "no" keeps it, "yes" erases the conversation', async () => {
    const key = bot.assistant.engine.conversationKey({ channelId: 'emulator', conversationId: chat.id });
    const stateKey = `nhsca:{${key}}:state`;
    const asked = await chat.say('Please delete my data');
    expect(lastText(asked)).toMatch(/^You asked me to delete your data\./);
    expect(texts(asked).join('\n')).toMatch(/NAS keeps them for 2 years, to carry them out/);
    expect(buttons(asked)).toEqual(['Yes, delete my data', 'No, keep it']);
    const kept = await chat.say('no, keep it');
    expect(texts(kept)[0]).toBe('Nothing was deleted.');
    expect(await direct.exists(stateKey)).toBe(1);

    await chat.say('delete my data');
    const erased = await chat.say('Yes, delete my data');
    expect(texts(erased)[0]).toMatch(/^Done: I have deleted what I kept about this conversation\./);
    expect(await direct.exists(stateKey)).toBe(0);
    // NAS still has the request; the conversation starts afresh.
    expect(await bot.assistant.adapters.requests.get(reference)).toBeDefined();
    expect(texts(await chat.say('hello'))[0]).toMatch(/^Hello, I'm the NHSmail care assistant/);
  });

  it('"yes" is an ordinary answer when no deletion was asked for', async () => {
    const other = new Chat(channel, bot.url, `privacy-${randomUUID()}`);
    await other.start();
    const result = await other.answers('register', 'care provider', 'yes');
    expect(lastText(result)).not.toMatch(/deleted/);
  });
});

describe('conversation state expires', () => {
  let redis: TestRedis;
  let direct: Redis;
  let bot: RunningBot;
  let channel: LocalChannel;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    direct = createRedisClient(redis.url);
    await waitUntilReady(direct);
    channel = await LocalChannel.start();
    // 0.00002 days: under 2 seconds.
    bot = await startBot({ REDIS_URL: redis.url, STATE_TTL_DAYS: '0.00002' });
  }, scaled(30_000));
  afterAll(async () => {
    await bot?.close();
    await channel?.close();
    await direct?.quit().catch(() => direct.disconnect());
    await redis?.stop();
  });

  it('after STATE_TTL_DAYS without a message: gone from Redis, and the user starts again', async () => {
    const chat = new Chat(channel, bot.url, `ttl-${randomUUID()}`);
    await chat.start();
    await chat.answers('register', 'care provider');
    const key = `nhsca:{${bot.assistant.engine.conversationKey({ channelId: 'emulator', conversationId: chat.id })}}:state`;
    expect(await direct.pttl(key)).toBeLessThanOrEqual(1_728);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await direct.exists(key)).toBe(0);
    expect(texts(await chat.say('no'))[0]).toMatch(/Sorry, I did not understand that|Hello/);
  });
});

describe('an owner verification code, over Redis at LOG_LEVEL=trace', () => {
  let redis: TestRedis;
  let direct: Redis;
  let bot: RunningBot;
  let channel: LocalChannel;
  const lines: string[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    direct = createRedisClient(redis.url);
    await waitUntilReady(direct);
    channel = await LocalChannel.start();
    const logger = createLogger('trace', new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }));
    bot = await startBot({ REDIS_URL: redis.url, LOG_LEVEL: 'trace' }, { logger });
  }, scaled(30_000));
  afterAll(async () => {
    await bot?.close();
    await channel?.close();
    await direct?.quit().catch(() => direct.disconnect());
    await redis?.stop();
  });

  it('is kept only as a hash and in the outbox content (with its TTL), and never logged', async () => {
    const address = 'sarah.hollis@nhs.net';
    const chat = new Chat(channel, bot.url, `privacy-owner-${randomUUID()}`);
    await chat.start();
    await chat.say('we have a new starter');
    expect(lastText(await chat.say(address))).toMatch(/6-digit code has been emailed/);
    const [mail] = await bot.assistant.adapters.outbox.latest(1);
    const code = /\b(\d{6})\b/.exec(mail!.body)![1]!;
    // A wrong code first (counted in the code's state), then the right one typed with a space.
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expect(texts(await chat.say(wrong)).join('\n')).toMatch(/That code is not right/);
    expect(texts(await chat.say(`${code.slice(0, 3)} ${code.slice(3)}`)).join('\n')).toMatch(/A new starter · Hollybank Care Home/);

    const stored = await dump(direct);
    const holding = [...stored].filter(([, { value }]) => value.includes(code)).map(([key, { ttl }]) => ({ key, ttl }));
    expect(holding).toEqual([{ key: new RedisOutbox(direct).contentKeyFor(mail!.id), ttl: expect.any(Number) }]);
    expect(holding[0]!.ttl).toBeGreaterThan(0);
    expect(holding[0]!.ttl).toBeLessThanOrEqual(72 * 60 * 60 * 1000);
    // The code's own key holds a hash of it, and expires.
    const codeKeys = [...stored].filter(([key]) => key.includes('vcode:'));
    expect(codeKeys.length).toBeGreaterThan(0);
    for (const [, { ttl }] of codeKeys) expect(ttl).toBeGreaterThan(0);

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(5);
    expect([code, `${code.slice(0, 3)} ${code.slice(3)}`, wrong, address].filter((value) => log.includes(value))).toEqual([]);
  }, scaled(60_000));
});
