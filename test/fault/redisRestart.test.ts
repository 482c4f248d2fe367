import { randomUUID } from 'node:crypto';
import type { TurnLease } from '../../adapters/conversationStore';
import { LocalChannel } from '../../bench/localChannel';
import { UNAVAILABLE_REPLY } from '../../bot/engine';
import { Chat, checkNumber, RunningBot, startBot, statusOf, texts, waitFor } from '../helpers/bot';
import { scaled } from '../helpers/timeouts';
import { FaultRedis, startFaultRedis } from './helpers/faultRedis';

/**
 * Redis killed (SIGKILL) and started again in the middle of a conversation, between turns and
 * inside one: the user is told briefly, nothing acknowledged is lost (Redis runs with an
 * append-only file synced on every write, as it should in production), nothing is applied twice,
 * and the conversation carries on by itself once Redis is back.
 */

describe('Redis killed and restarted mid-conversation', () => {
  let redis: FaultRedis;
  let bot: RunningBot;
  let channel: LocalChannel;

  beforeAll(async () => {
    redis = await startFaultRedis({ durable: true });
    channel = await LocalChannel.start();
    bot = await startBot({ REDIS_URL: redis.url });
  }, scaled(30_000));

  afterAll(async () => {
    await redis?.restart();
    await bot?.close();
    await channel?.close();
    await redis?.stop();
  });

  const ready = () => waitFor(async () => (await statusOf(bot.url, '/readyz')) === 200, 'the bot to reconnect to Redis', scaled(15_000), 100);

  it('between turns: "briefly unavailable" at once, then the same answer is taken once', async () => {
    const chat = new Chat(channel, bot.url, `restart-${randomUUID()}`);
    await chat.start();
    expect(checkNumber(await chat.answers('register', 'care provider', 'no'))).toBe(3);

    await redis.kill();
    const started = Date.now();
    const down = await chat.say('yes');
    expect(texts(down)).toEqual([UNAVAILABLE_REPLY.text]);
    expect(Date.now() - started).toBeLessThan(scaled(5_000));
    expect(await statusOf(bot.url, '/readyz')).toBe(503);

    await redis.restart();
    await ready();
    expect(checkNumber(await chat.say('yes'))).toBe(4);
    // Nothing lost or doubled: one step back is the toolkit question, answered "yes" once.
    const back = await chat.say('back');
    expect(texts(back)[0]).toBe('Going back. Last time you answered: yes.');
    expect(checkNumber(back)).toBe(3);
    expect(checkNumber(await chat.answers('yes', 'no'))).toBe(5);
  }, scaled(60_000));

  it('inside a turn, before its commit reached Redis: the user is asked to send again, and it is taken once', async () => {
    const chat = new Chat(channel, bot.url, `restart-${randomUUID()}`);
    await chat.start();
    expect(checkNumber(await chat.answers('register', 'dental practice'))).toBe(2);

    const store = bot.assistant.store;
    const commit = store.commit.bind(store);
    let once = true;
    store.commit = async (lease: TurnLease, data: string) => {
      if (once) {
        once = false;
        await redis.kill();
        setTimeout(() => void redis.restart(), 700);
      }
      return commit(lease, data);
    };
    try {
      const result = await chat.say('no');
      expect(texts(result)).toEqual([UNAVAILABLE_REPLY.text]);
    } finally {
      store.commit = commit;
    }
    await ready();
    expect(checkNumber(await chat.say('no'))).toBe(3);
    expect(texts(await chat.say('back'))[0]).toBe('Going back. Last time you answered: no.');
  }, scaled(60_000));

  it('right after a commit: the saved turn survives the kill, and the conversation carries on from it', async () => {
    const chat = new Chat(channel, bot.url, `restart-${randomUUID()}`);
    await chat.start();
    await chat.answers('register', 'care provider');
    const at3 = await chat.say('no');
    expect(checkNumber(at3)).toBe(3);
    await redis.kill();
    await redis.restart();
    await ready();
    expect(checkNumber(await chat.say('yes'))).toBe(4);
  }, scaled(60_000));
});
