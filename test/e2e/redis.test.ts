import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedisClient, RedisConversationStore, waitUntilReady } from '../../adapters/redisConversationStore';
import { ChannelActivity, LocalChannel, SendResult } from '../../bench/localChannel';
import { UNAVAILABLE_REPLY } from '../../bot/engine';
import { Chat, checkNumber, lastText, RunningBot, startBot, statusOf, texts, waitFor } from '../helpers/bot';
import { startRedis, TestRedis } from '../helpers/redis';
import { startTcpProxy, TcpProxy } from '../helpers/tcpProxy';

/**
 * The bot over HTTP with its conversations in Redis: outages (a TCP proxy in front of Redis is
 * cut and restored, the data stays) and several bot servers sharing one Redis, as several
 * processes would. Every server here is its own createAssistant, so its own Redis client.
 *
 * The bot always writes under `nhsca:` (there is no setting for its key prefix); conversation
 * ids are random, and afterAll deletes exactly the keys of the conversations this file made.
 */

describe('the bot over HTTP with Redis', () => {
  let redis: TestRedis;
  let proxy: TcpProxy;
  let direct: Redis;
  /** A bot whose Redis connection goes through the proxy. */
  let behindProxy: RunningBot;
  /** Two bots on the same Redis, as two processes behind a load balancer. */
  let botA: RunningBot;
  let botB: RunningBot;
  let channelA: LocalChannel;
  let channelB: LocalChannel;
  const conversations: string[] = [];

  const newConversationId = () => {
    const id = `conv-${randomUUID()}`;
    conversations.push(id);
    return id;
  };

  /** Where the bot keeps a conversation, built the way the bot builds it. */
  const stateKey = (bot: RunningBot, conversationId: string) =>
    new RedisConversationStore(direct, { ttlMs: 60_000 }).keysFor(
      bot.assistant.engine.conversationKey({ channelId: 'emulator', conversationId }),
    ).state;

  async function toToolkitQuestion(chat: Chat): Promise<SendResult> {
    await chat.start();
    const result = await chat.answers('register', 'Care provider', 'No');
    expect(checkNumber(result)).toBe(3);
    return result;
  }

  beforeAll(async () => {
    redis = await startRedis();
    const target = new URL(redis.url);
    proxy = await startTcpProxy(target.hostname, Number(target.port || 6379));
    const proxied = new URL(redis.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);

    direct = createRedisClient(redis.url);
    await waitUntilReady(direct);
    channelA = await LocalChannel.start();
    channelB = await LocalChannel.start();
    [behindProxy, botA, botB] = await Promise.all([
      startBot({ REDIS_URL: proxied.toString() }),
      startBot({ REDIS_URL: redis.url }),
      startBot({ REDIS_URL: redis.url }),
    ]);
  }, 30_000);

  afterAll(async () => {
    await proxy?.restore();
    if (direct?.status === 'ready' && botA) {
      const store = new RedisConversationStore(direct, { ttlMs: 60_000 });
      const keys = conversations.flatMap((conversationId) =>
        Object.values(store.keysFor(botA.assistant.engine.conversationKey({ channelId: 'emulator', conversationId }))),
      );
      if (keys.length) await direct.del(...keys);
    }
    await Promise.all([behindProxy?.close(), botA?.close(), botB?.close()]);
    await Promise.all([channelA?.close(), channelB?.close()]);
    await direct?.quit().catch(() => direct.disconnect());
    await proxy?.close();
    await redis?.stop();
  }, 30_000);

  describe('a Redis outage', () => {
    afterEach(async () => {
      await proxy.restore();
    });

    it('/readyz answers 503 while Redis is cut off and 200 again after it is back', async () => {
      expect(await statusOf(behindProxy.url, '/readyz')).toBe(200);
      await proxy.cut();
      await waitFor(async () => (await statusOf(behindProxy.url, '/readyz')) === 503, '/readyz to answer 503', 5_000);
      const body = await (await fetch(`${behindProxy.url}/readyz`)).json();
      expect(body).toEqual({ status: 'unavailable', reason: expect.any(String) });
      // Liveness does not depend on Redis: restarting the process would not help.
      expect(await statusOf(behindProxy.url, '/healthz')).toBe(200);

      await proxy.restore();
      await waitFor(async () => (await statusOf(behindProxy.url, '/readyz')) === 200, '/readyz to answer 200', 10_000);
    });

    it('answers "briefly unavailable" during the outage, keeps the state, and recovers by itself', async () => {
      const chat = new Chat(channelA, behindProxy.url, newConversationId());
      const atToolkit = await toToolkitQuestion(chat);
      const before = await direct.get(stateKey(behindProxy, chat.id));
      expect(before).toBeTruthy();

      await proxy.cut();
      const answer = chat.message('Yes');
      for (const attempt of [answer, chat.message('Yes')]) {
        const started = Date.now();
        const result = await chat.post(attempt);
        expect(result.status).toBe(200);
        expect(texts(result)).toEqual([UNAVAILABLE_REPLY.text]);
        expect(texts(result)[0]).toContain('briefly unavailable');
        // Fails fast: no waiting for the channel's retry timeout.
        expect(Date.now() - started).toBeLessThan(5_000);
      }
      expect(await direct.get(stateKey(behindProxy, chat.id))).toBe(before);

      await proxy.restore();
      await waitFor(async () => (await statusOf(behindProxy.url, '/readyz')) === 200, 'the bot to reconnect', 10_000);

      // The channel retries the very activity that got the "unavailable" reply: it was not
      // remembered as processed, so it is processed now, from the question that was pending.
      const retried = await chat.post({ ...answer });
      expect(retried.status).toBe(200);
      expect(checkNumber(retried)).toBe(4);
      const back = await chat.say('back');
      expect(texts(back)[0]).toBe('Going back. Last time you answered: yes.');
      expect(lastText(back)).toBe(lastText(atToolkit));
    });

    it('answers "briefly unavailable" to a new conversation during the outage, then greets it', async () => {
      const chat = new Chat(channelA, behindProxy.url, newConversationId());
      await proxy.cut();
      const opened = await chat.post(channelA.conversationStart(chat.id));
      expect(opened.status).toBe(200);
      expect(texts(opened)).toEqual([UNAVAILABLE_REPLY.text]);
      await proxy.restore();
      await waitFor(async () => (await statusOf(behindProxy.url, '/readyz')) === 200, 'the bot to reconnect', 10_000);
      const hello = await chat.say('hello');
      expect(texts(hello)[0]).toMatch(/^Hello, I'm the NHSmail care assistant/);
    });
  });

  describe('two bot servers sharing one Redis', () => {
    /** Rounds in which one turn had to wait for the other (more than begin + commit each). */
    let contendedRounds = 0;
    const roundTrips = () =>
      [botA, botB].reduce((sum, bot) => sum + (bot.assistant.store as RedisConversationStore).roundTrips, 0);

    /** Sends `text` to the same conversation through both servers at the same moment. */
    async function both(conversationId: string, a: ChannelActivity, b: ChannelActivity): Promise<[SendResult, SendResult]> {
      expect(a.conversation?.id).toBe(conversationId);
      expect(b.conversation?.id).toBe(conversationId);
      return Promise.all([channelA.send(botA.url, a), channelB.send(botB.url, b)]);
    }

    it.each([1, 2, 3, 4, 5, 6])('processes two messages sent at once, one after the other, with no lost update (round %i)', async () => {
      const conversationId = newConversationId();
      const chatA = new Chat(channelA, botA.url, conversationId);
      const chatB = new Chat(channelB, botB.url, conversationId);
      await toToolkitQuestion(chatA);

      // "Yes" answers the toolkit question and then the passcode question, whichever goes first.
      const tripsBefore = roundTrips();
      const [resultA, resultB] = await both(conversationId, chatA.message('Yes'), chatB.message('yes'));
      if (roundTrips() - tripsBefore > 4) contendedRounds++;
      expect(resultA.status).toBe(200);
      expect(resultB.status).toBe(200);
      const all = [...texts(resultA), ...texts(resultB)].join('\n');
      expect(all).not.toMatch(/Sorry|unavailable|still working/);
      // Each server delivered its own reply; one saw check 4, the other check 5.
      expect([checkNumber(resultA), checkNumber(resultB)].sort()).toEqual([4, 5]);

      // Exactly two questions further: at the CQC question, with both answers kept.
      const next = await chatB.say('help');
      expect(checkNumber(next)).toBe(5);
      const back = await chatA.say('back');
      expect(texts(back)[0]).toBe('Going back. Last time you answered: yes.');
      expect(checkNumber(back)).toBe(4);
      const back2 = await chatB.say('back');
      expect(texts(back2)[0]).toBe('Going back. Last time you answered: yes.');
      expect(checkNumber(back2)).toBe(3);
    });

    it('had the two turns of a round really overlap at least once', () => {
      // Without this the rounds above could pass by running one after the other by chance.
      expect(contendedRounds).toBeGreaterThan(0);
    });

    it.each([1, 2, 3, 4, 5])('processes a duplicate activity sent to both servers at once only once (round %i)', async () => {
      const conversationId = newConversationId();
      const chatA = new Chat(channelA, botA.url, conversationId);
      const chatB = new Chat(channelB, botB.url, conversationId);
      await toToolkitQuestion(chatA);

      // The same activity (same id), redelivered to the other instance: processed twice, the
      // second "Yes" would answer the passcode question too.
      const original = chatA.message('Yes');
      const copy = { ...original, serviceUrl: channelB.serviceUrl };
      const [resultA, resultB] = await both(conversationId, original, copy);
      expect(resultA.status).toBe(200);
      expect(resultB.status).toBe(200);
      // Processed once. The instance that did not process it cannot know the other delivered
      // the reply (it might have died first), so it may send the same answer again: never lost.
      const answered = [resultA, resultB].filter((r) => r.replies.length > 0);
      expect(answered.length).toBeGreaterThanOrEqual(1);
      for (const result of answered) expect(checkNumber(result)).toBe(4);

      const next = await chatB.say('help');
      expect(checkNumber(next)).toBe(4);
    });

    it('keeps turns in order and complete under a burst of messages to one conversation', async () => {
      const conversationId = newConversationId();
      const chatA = new Chat(channelA, botA.url, conversationId);
      await chatA.start();
      await chatA.say('register');
      // Ten "help"s at once, alternating between the servers: none is lost or refused, and the
      // conversation has not moved.
      const sends = Array.from({ length: 10 }, (_, i) =>
        i % 2 === 0
          ? channelA.send(botA.url, channelA.message(conversationId, 'help'))
          : channelB.send(botB.url, channelB.message(conversationId, 'help')),
      );
      const results = await Promise.all(sends);
      for (const result of results) expect(result.status).toBe(200);
      const transcript = [...channelA.transcript(conversationId), ...channelB.transcript(conversationId)];
      const helps = transcript.filter((a) => (a.text ?? '').startsWith('Care homes and home care'));
      expect(helps).toHaveLength(10);
      expect(transcript.some((a) => /Sorry|unavailable|still working/.test(a.text ?? ''))).toBe(false);
      expect(checkNumber(await chatA.say('help'))).toBe(1);
    });
  });
});
