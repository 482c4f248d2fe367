import { randomUUID } from 'node:crypto';
import { RunningBot, startBot, startPrivateRedis } from '../helpers/bot';
import type { Redis } from 'ioredis';
import { createRedisClient, waitUntilReady } from '../../adapters/redisConversationStore';
import type { RedisDirectLineState } from '../../adapters/redisDirectLineState';
import type { TestRedis } from '../helpers/redis';

/**
 * Several bot instances on one Redis behind a front that is not sticky: each request of a page
 * may reach any instance. The Direct Line state (tokens' signing key, conversations, watermarks,
 * the activity buffer) is shared, so the page cannot tell.
 */

interface Activity {
  id: string;
  type: string;
  text?: string;
  from?: { id: string; role?: string };
  replyToId?: string;
}

async function call(url: string, method: string, path: string, token?: string, json?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: json !== undefined ? JSON.stringify(json) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** A page whose every request goes to the next instance in turn (round robin). */
class RoundRobinPage {
  token = '';
  conversationId = '';
  watermark = '';
  readonly received: Activity[] = [];
  readonly served: string[] = [];
  /** An activity may come again under its id (updated in place); otherwise a repeat fails the test. */
  updatesExpected = false;
  private turn = 0;
  private readonly seen = new Set<string>();

  constructor(private readonly urls: () => string[]) {}

  private next(): string {
    const urls = this.urls();
    const url = urls[this.turn++ % urls.length]!;
    this.served.push(url);
    return url;
  }

  async send(method: string, path: string, json?: unknown) {
    return call(this.next(), method, path, this.token, json);
  }

  async generate(): Promise<void> {
    const answer = await call(this.next(), 'POST', '/v3/directline/tokens/generate');
    expect(answer.status).toBe(200);
    this.token = String(answer.body.token);
    this.conversationId = String(answer.body.conversationId);
  }

  async poll(): Promise<Activity[]> {
    const answer = await this.send('GET', `/v3/directline/conversations/${this.conversationId}/activities?watermark=${this.watermark}`);
    expect(answer.status).toBe(200);
    const activities = answer.body.activities as Activity[];
    for (const activity of activities) {
      if (!this.updatesExpected) expect(this.seen.has(activity.id)).toBe(false);
      this.seen.add(activity.id);
      this.received.push(activity);
    }
    this.watermark = String(answer.body.watermark);
    return activities;
  }

  async say(text: string): Promise<void> {
    const answer = await this.send('POST', `/v3/directline/conversations/${this.conversationId}/activities`, {
      type: 'message',
      text,
      from: { id: 'dl_page', role: 'user' },
      channelData: { clientActivityID: randomUUID() },
    });
    expect(answer.status).toBe(200);
  }

  async botSays(pattern: RegExp, timeoutMs = 10_000): Promise<string[]> {
    const said: string[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      said.push(...(await this.poll()).filter((a) => a.type === 'message' && a.from?.role === 'bot').map((a) => a.text ?? ''));
      if (said.some((text) => pattern.test(text))) return said;
      if (Date.now() > deadline) throw new Error(`the bot did not say ${pattern}; it said:\n${said.join('\n---\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe('the web chat channel on several instances sharing one Redis', () => {
  let redis: TestRedis;
  let a: RunningBot;
  let b: RunningBot;
  let redisClient: Redis;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    [a, b] = await Promise.all([startBot({ REDIS_URL: redis.url }), startBot({ REDIS_URL: redis.url })]);
    redisClient = createRedisClient(redis.url);
    await waitUntilReady(redisClient);
  }, 30_000);

  afterAll(async () => {
    redisClient?.disconnect();
    await Promise.all([a?.close(), b?.close()]);
    await redis?.stop();
  });

  it('answers a page whose requests alternate between instances exactly as one instance would', async () => {
    const page = new RoundRobinPage(() => [a.url, b.url]);
    await page.generate();
    const started = await page.send('POST', '/v3/directline/conversations', { user: {}, locale: 'en-GB' });
    expect(started.status).toBe(201);
    // Web Chat starting again on the other instance: the same conversation, not greeted twice.
    const again = await page.send('POST', '/v3/directline/conversations', {});
    expect(again.status).toBe(200);
    await page.botSays(/What would you like to do\?/);

    const steps: [string, RegExp][] = [
      ['register', /check 1 of 6/],
      ['Care provider', /check 2 of 6/],
      ['No', /check 3 of 6/],
      ['Yes', /check 4 of 6/],
    ];
    for (const [text, next] of steps) {
      await page.say(text);
      await page.botSays(next);
    }
    const refreshed = await page.send('POST', '/v3/directline/tokens/refresh');
    expect(refreshed.status).toBe(200);
    page.token = String(refreshed.body.token);
    await page.say('No');
    await page.botSays(/check 5 of 6/);

    expect(new Set(page.served)).toEqual(new Set([a.url, b.url]));
    const greetings = page.received.filter((m) => /^Hello, I'm the NHSmail care assistant/.test(m.text ?? ''));
    expect(greetings).toHaveLength(1);
    // Watermarks are one sequence: every activity's id is the conversation and its place in it.
    const ids = page.received.map((m) => m.id);
    expect(ids.every((id) => id.startsWith(`${page.conversationId}|`))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    // Every message the page posted was answered once.
    const userMessages = page.received.filter((m) => m.from?.role === 'user');
    expect(userMessages).toHaveLength(5);
    for (const message of userMessages) expect(page.received.filter((r) => r.replyToId === message.id)).toHaveLength(1);
  }, 60_000);

  it('a message from the other instance (the notifier) reaches the page; a tagged one is updated in place', async () => {
    const page = new RoundRobinPage(() => [a.url]);
    await page.generate();
    expect((await page.send('POST', '/v3/directline/conversations', {})).status).toBe(201);
    await page.botSays(/What would you like to do\?/);
    await page.say('register');
    await page.botSays(/check 1 of 6/);
    const conversationKey = b.assistant.engine.conversationKey({ channelId: 'webchat', conversationId: page.conversationId });
    page.updatesExpected = true;

    // Instance B never served this page, and delivers to it.
    const sent = await b.assistant.notifier.notify({ conversationKey }, { text: 'REG-7KD9QX2P: received.', updateTag: 'status:REG-7KD9QX2P' });
    expect(sent).toMatchObject({ outcome: 'delivered', channelId: 'webchat', updated: false, activityId: expect.stringMatching(new RegExp(`^${page.conversationId}\\|`)) });
    // The message, then the question the page was on again (a new message takes its buttons away).
    const said = await page.botSays(/check 1 of 6/);
    expect(said[0]).toBe('REG-7KD9QX2P: received.');
    expect(said[1]).toMatch(/check 1 of 6/);
    const updated = await b.assistant.notifier.notify({ conversationKey }, { text: 'REG-7KD9QX2P: in progress.', updateTag: 'status:REG-7KD9QX2P' });
    expect(updated).toMatchObject({ outcome: 'delivered', updated: true, activityId: sent.outcome === 'delivered' ? sent.activityId : '' });
    await page.botSays(/REG-7KD9QX2P: in progress\./);
    const versions = page.received.filter((m) => m.id === (sent.outcome === 'delivered' ? sent.activityId : ''));
    expect(versions.map((m) => m.text)).toEqual(['REG-7KD9QX2P: received.', 'REG-7KD9QX2P: in progress.']);
    // An event from B moves the conversation; the page hears what it says next.
    expect(await b.assistant.notifier.notify({ conversationKey }, { text: 'A word from NAS.', event: { type: 'MENU' } })).toMatchObject({ moved: true });
    await page.botSays(/Menu\. What would you like to do\?/);
  }, 60_000);

  it('a page back in a conversation whose transcript the channel let go is told where it stands', async () => {
    const page = new RoundRobinPage(() => [a.url, b.url]);
    const generated = await call(a.url, 'POST', '/v3/directline/tokens/generate');
    page.token = String(generated.body.token);
    page.conversationId = String(generated.body.conversationId);
    expect((await page.send('POST', '/v3/directline/conversations', {})).status).toBe(201);
    await page.say('register');
    await page.botSays(/check 1 of 6/);
    // The channel's copy goes (made room for); the bot's own state stays.
    const state = a.assistant.webChat.state as RedisDirectLineState;
    await redisClient.del(...state.keysOf(page.conversationId));
    const resumed = await call(b.url, 'POST', '/v3/directline/tokens/resume', String(generated.body.resumeToken));
    expect(resumed.body.resumed).toBe('reopened');
    const back = new RoundRobinPage(() => [a.url, b.url]);
    back.token = String(resumed.body.token);
    back.conversationId = page.conversationId;
    const said = await back.botSays(/check 1 of 6/);
    expect(said.join('\n')).toMatch(/Welcome back/);
  }, 60_000);

  it('a web chat conversation the user ended gets an email instead', async () => {
    const page = new RoundRobinPage(() => [a.url]);
    await page.generate();
    expect((await page.send('POST', '/v3/directline/conversations', {})).status).toBe(201);
    await page.botSays(/What would you like to do\?/);
    expect((await page.send('DELETE', `/v3/directline/conversations/${page.conversationId}`)).status).toBe(204);
    const conversationKey = b.assistant.engine.conversationKey({ channelId: 'webchat', conversationId: page.conversationId });
    const result = await b.assistant.notifier.notify({ conversationKey, email: 'manager@care.example' }, { text: 'REG-7KD9QX2P is done.' });
    expect(result).toMatchObject({ outcome: 'emailed', reason: 'the user ended this web chat conversation' });
  }, 60_000);

  it('keeps a conversation going on the other instance when the one it started on stops', async () => {
    let urls = [a.url];
    const page = new RoundRobinPage(() => urls);
    await page.generate();
    expect((await page.send('POST', '/v3/directline/conversations', {})).status).toBe(201);
    await page.botSays(/What would you like to do\?/);
    await page.say('register');
    await page.botSays(/check 1 of 6/);
    await a.close();
    urls = [b.url];
    // Same token, same watermark, same step: the page carries on where it was.
    const reconnected = await page.send('GET', `/v3/directline/conversations/${page.conversationId}?watermark=${page.watermark}`);
    expect(reconnected.status).toBe(200);
    expect(await page.poll()).toEqual([]);
    await page.say('Dental practice');
    await page.botSays(/check 2 of 6/);
  }, 60_000);
});
