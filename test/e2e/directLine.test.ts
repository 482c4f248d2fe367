import { randomUUID } from 'node:crypto';
import { FLOWS } from '../../bot/flows';
import type { AddressInfo } from 'node:net';
import * as restify from 'restify';
import { loadConfig } from '../../bot/config';
import { MemoryDirectLineState } from '../../adapters/memoryDirectLineState';
import { DirectLine, registerDirectLine } from '../../bot/directLine';
import { createLogger } from '../../bot/logger';
import { createAdapter } from '../../bot/server';
import { RunningBot, startBot } from '../helpers/bot';
import { fakeClock } from '../helpers/clock';
import { randomLoopback, requestFrom } from '../helpers/loopbackClient';

const DAY = 24 * 60 * 60 * 1000;

/**
 * The web chat page's Direct Line channel over HTTP, as botframework-directlinejs (inside Web
 * Chat) uses it with polling: tokens, starting a conversation, posting activities, polling with
 * watermarks; the bot's replies come back through its connector client to this same server.
 */

interface Activity {
  id: string;
  type: string;
  text?: string;
  from?: { id: string; role?: string };
  replyToId?: string;
  channelId?: string;
  conversation?: { id: string };
  suggestedActions?: { actions: { title?: string; value?: unknown }[] };
  attachments?: unknown[];
  channelData?: Record<string, unknown>;
  [key: string]: unknown;
}

interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

async function call<T = Record<string, unknown>>(
  url: string,
  method: string,
  path: string,
  options: { token?: string; json?: unknown; raw?: string; contentType?: string; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  } else if (options.raw !== undefined) {
    body = options.raw;
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  const response = await fetch(`${url}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: kept as text for the failure message.
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/** POST /tokens/generate from a loopback address of its own, as a visitor from another network. */
async function generateFromElsewhere(url: string, json?: unknown): Promise<Answer> {
  const answer = await requestFrom(url, randomLoopback(), 'POST', '/v3/directline/tokens/generate', json === undefined ? {} : { json });
  return { status: answer.status, body: answer.body, headers: new Headers(Object.entries(answer.headers).map(([k, v]) => [k, String(v)])) };
}

/** One page's view of a conversation: what Web Chat's Direct Line client does, without a browser. */
class PageClient {
  token = '';
  conversationId = '';
  watermark = '';
  /** Every activity received, in order; an id seen twice fails the test. */
  readonly received: Activity[] = [];
  private readonly seen = new Set<string>();
  readonly userId = `r_${randomUUID().slice(0, 8)}`;

  constructor(readonly url: string) {}

  async generate(): Promise<Answer> {
    // Each page a visitor of its own network (new conversations are counted per network).
    const answer = await generateFromElsewhere(this.url);
    expect(answer.status).toBe(200);
    this.token = String(answer.body.token);
    this.conversationId = String(answer.body.conversationId);
    return answer;
  }

  async start(): Promise<Answer> {
    // What directlinejs posts when it starts a conversation.
    return call(this.url, 'POST', '/v3/directline/conversations', { token: this.token, json: { user: {}, locale: 'en-GB' } });
  }

  async post(activity: Record<string, unknown>, token = this.token): Promise<Answer> {
    return call(this.url, 'POST', `/v3/directline/conversations/${this.conversationId}/activities`, { token, json: activity });
  }

  async say(text: string): Promise<string> {
    const clientActivityID = randomUUID();
    const answer = await this.post({ type: 'message', text, from: { id: this.userId, role: 'user' }, channelData: { clientActivityID } });
    expect(answer.status).toBe(200);
    return String(answer.body.id);
  }

  /** One poll; returns the new activities and checks none was seen before. */
  async poll(): Promise<Activity[]> {
    const answer = await call<{ activities: Activity[]; watermark: string }>(
      this.url,
      'GET',
      `/v3/directline/conversations/${this.conversationId}/activities?watermark=${this.watermark}`,
      { token: this.token },
    );
    expect(answer.status).toBe(200);
    expect(typeof answer.body.watermark).toBe('string');
    for (const activity of answer.body.activities) {
      expect(this.seen.has(activity.id)).toBe(false);
      this.seen.add(activity.id);
      this.received.push(activity);
    }
    this.watermark = answer.body.watermark;
    return answer.body.activities;
  }

  /** Polls until the bot has sent a message matching `pattern`; returns the bot's messages since. */
  async botSays(pattern: RegExp, timeoutMs = 10_000): Promise<Activity[]> {
    const messages: Activity[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      messages.push(...(await this.poll()).filter((a) => a.type === 'message' && a.from?.role === 'bot'));
      if (messages.some((m) => pattern.test(m.text ?? ''))) return messages;
      if (Date.now() > deadline) {
        throw new Error(`the bot did not say ${pattern} within ${timeoutMs} ms; it said:\n${messages.map((m) => m.text).join('\n---\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Says `text` and waits for a reply matching `pattern`. */
  async answer(text: string, pattern: RegExp): Promise<Activity[]> {
    await this.say(text);
    return this.botSays(pattern);
  }
}

const buttonsOf = (messages: Activity[]) => {
  const last = [...messages].reverse().find((m) => m.suggestedActions?.actions?.length);
  return (last?.suggestedActions?.actions ?? []).map((a) => String(a.title));
};

describe('the Direct Line channel of the web chat page', () => {
  let bot: RunningBot;

  beforeAll(async () => {
    bot = await startBot();
  });

  afterAll(async () => {
    await bot?.close();
  });

  describe('a conversation from the page', () => {
    it('greets, shows the menu with buttons, and echoes what the page posts', async () => {
      const page = new PageClient(bot.url);
      const generated = await page.generate();
      // A resume token too, for the page to come back for as long as the bot keeps state (30 days).
      expect(generated.body).toEqual({
        conversationId: expect.any(String),
        token: expect.any(String),
        expires_in: 1800,
        resumeToken: expect.any(String),
        resumeExpiresIn: 30 * 24 * 60 * 60,
      });
      expect(generated.body).not.toHaveProperty('streamUrl');

      const started = await page.start();
      expect(started.status).toBe(201);
      expect(started.body).toMatchObject({ conversationId: page.conversationId, token: page.token });
      expect(started.body).not.toHaveProperty('streamUrl');
      // Starting again (Web Chat reconnecting) is the same conversation and does not greet twice.
      const again = await page.start();
      expect(again.status).toBe(200);
      expect(again.body.conversationId).toBe(page.conversationId);

      const helloId = await page.say('hello');
      expect(helloId).toMatch(new RegExp(`^${page.conversationId}\\|\\d{7}$`));
      const messages = await page.botSays(/What would you like to do\?/);
      expect(messages.some((m) => /^Hello, I'm the NHSmail care assistant/.test(m.text ?? ''))).toBe(true);
      expect(buttonsOf(messages)).toEqual(FLOWS.map((f) => f.dialog.menuLabel));

      // The page's own message comes back (Web Chat marks it sent on this echo) with its client id.
      const echo = page.received.find((a) => a.id === helloId);
      expect(echo).toMatchObject({ type: 'message', text: 'hello', from: { id: page.userId, role: 'user' }, channelId: 'webchat' });
      expect(echo?.channelData?.clientActivityID).toEqual(expect.any(String));
      expect(echo).not.toHaveProperty('serviceUrl');
      // The replies to "hello" answer it.
      // The replies to "hello" answer it: a greeting and the menu (the user joining was greeted too;
      // that greeting answers no activity, as Direct Line's do not).
      const answers = page.received.filter((a) => a.replyToId === helloId);
      // One message: the greeting, then the menu.
      expect(answers).toHaveLength(1);
      expect(answers[0]?.text?.split('\n\n').map((part) => part.split('\n')[0])).toEqual([
        expect.stringMatching(/^Hello, I'm the NHSmail care assistant/),
        'What would you like to do?',
      ]);
      for (const reply of answers) {
        expect(reply).toMatchObject({ conversation: { id: page.conversationId }, channelId: 'webchat', from: { role: 'bot' } });
      }
      expect(answers[0]?.suggestedActions?.actions.map((a) => a.title)).toEqual(FLOWS.map((f) => f.dialog.menuLabel));
      const greetings = page.received.filter((m) => /^Hello, I'm the NHSmail care assistant/.test(m.text ?? ''));
      expect(greetings).toHaveLength(2); // one when the user joined, one for "hello"
      expect(page.received.filter((a) => a.from?.role === 'bot').every((a) => a.replyToId === helloId || a.replyToId === undefined)).toBe(true);
    });

    it('answers the questionnaire by the buttons’ values, to the organisation details', async () => {
      const page = new PageClient(bot.url);
      await page.generate();
      await page.start();
      expect(buttonsOf(await page.botSays(/What would you like to do\?/))).toEqual(FLOWS.map((f) => f.dialog.menuLabel));

      let replies = await page.answer('Register my organisation for NHSmail', /check 1 of 6/);
      expect(buttonsOf(replies)).toEqual(['Care provider', 'Dental practice', 'Hospice']);
      const steps: [string, RegExp][] = [
        ['Care provider', /check 2 of 6/],
        ['No', /check 3 of 6/],
        ['Yes', /check 4 of 6/],
        ['No', /check 5 of 6/],
        ['Yes', /^Before you start · all checks done\./],
      ];
      for (const [answer, next] of steps) {
        expect(buttonsOf(replies)).toContain(answer);
        replies = await page.answer(answer, next);
        expect(replies.map((r) => r.text).join('\n')).not.toContain('Sorry');
      }
      expect(buttonsOf(replies)).toContain('Continue');
      replies = await page.answer('Continue', /Step 1 of 4 · Organisation details/);
      expect(replies.at(-1)?.text).toMatch(/postcode/);

      // No activity was delivered twice, and a poll at the last watermark brings nothing new.
      const ids = page.received.map((a) => a.id);
      expect(new Set(ids).size).toBe(ids.length);
      const watermark = page.watermark;
      expect(await page.poll()).toEqual([]);
      expect(page.watermark).toBe(watermark);

      // From watermark 0 (or none), the whole conversation again, in the same order.
      const all = await call<{ activities: Activity[]; watermark: string }>(
        bot.url,
        'GET',
        `/v3/directline/conversations/${page.conversationId}/activities`,
        { token: page.token },
      );
      expect(all.body.activities.map((a) => a.id)).toEqual(ids);
      expect(all.body.watermark).toBe(watermark);
      const fromZero = await call<{ activities: Activity[] }>(bot.url, 'GET', `/v3/directline/conversations/${page.conversationId}/activities?watermark=0`, {
        token: page.token,
      });
      expect(fromZero.body.activities.map((a) => a.id)).toEqual(ids);

      // The conversation's state is kept by the bot's store, as for any channel.
      const key = bot.assistant.engine.conversationKey({ channelId: 'webchat', conversationId: page.conversationId });
      const lease = await bot.assistant.store.begin(key);
      try {
        expect(lease.stored).not.toBeNull();
      } finally {
        await bot.assistant.store.release(lease);
      }
    });

    it('lets a page post straight after generating a token (the conversation starts on its first activity)', async () => {
      const page = new PageClient(bot.url);
      await page.generate();
      await page.say('register');
      const replies = await page.botSays(/check 1 of 6/);
      expect(replies.some((m) => /^Hello, I'm the NHSmail care assistant/.test(m.text ?? ''))).toBe(true);
    });

    it('reconnects to a conversation (GET /conversations/:id) with the same token, without greeting again', async () => {
      const page = new PageClient(bot.url);
      await page.generate();
      await page.start();
      await page.botSays(/What would you like to do\?/);
      const reconnect = await call(bot.url, 'GET', `/v3/directline/conversations/${page.conversationId}?watermark=${page.watermark}`, { token: page.token });
      expect(reconnect.status).toBe(200);
      expect(reconnect.body).toMatchObject({ conversationId: page.conversationId, token: page.token });
      expect(await page.poll()).toEqual([]);
    });

    it('keeps conversations apart', async () => {
      const [a, b] = [new PageClient(bot.url), new PageClient(bot.url)];
      await a.generate();
      await b.generate();
      expect(a.conversationId).not.toBe(b.conversationId);
      expect(a.token).not.toBe(b.token);
      await a.start();
      await a.answer('register', /check 1 of 6/);
      await b.start();
      const bMessages = await b.botSays(/What would you like to do\?/);
      expect(bMessages.map((m) => m.text).join('\n')).not.toContain('check 1 of 6');
    });
  });

  it('proactive messages (the notifier) reach the page; a conversation nobody knows is undeliverable', async () => {
    const page = new PageClient(bot.url);
    await page.generate();
    await page.start();
    await page.botSays(/What would you like to do\?/);
    const reference = { conversation: { id: page.conversationId }, user: { id: 'dl_x' }, bot: { id: 'bot' }, channelId: 'webchat', serviceUrl: 'http://elsewhere.invalid' };
    await expect(bot.assistant.notifier.notify({ conversationReference: reference }, { text: 'Your passcode has been sent.' })).resolves.toMatchObject({ outcome: 'delivered' });
    const [reminder] = await page.botSays(/Your passcode has been sent\./);
    expect(reminder).toMatchObject({ conversation: { id: page.conversationId }, channelId: 'webchat', from: { role: 'bot' } });

    const unknown = { ...reference, conversation: { id: 'AAAAAAAAAAAAAAAAAAAAAA' } };
    await expect(bot.assistant.notifier.notify({ conversationReference: unknown }, { text: 'Nobody is here.' })).resolves.toEqual({
      outcome: 'undeliverable',
      reason: 'the web chat conversation has ended or expired',
    });
  });

  describe('tokens', () => {
    let page: PageClient;
    let other: PageClient;

    beforeAll(async () => {
      page = new PageClient(bot.url);
      await page.generate();
      await page.start();
      other = new PageClient(bot.url);
      await other.generate();
    });

    const routes = () => [
      ['POST', '/v3/directline/conversations'],
      ['POST', '/v3/directline/tokens/refresh'],
      ['GET', `/v3/directline/conversations/${page.conversationId}`],
      ['GET', `/v3/directline/conversations/${page.conversationId}/activities?watermark=0`],
      ['POST', `/v3/directline/conversations/${page.conversationId}/activities`],
    ];

    it('401 without a bearer token, on every route', async () => {
      for (const [method, path] of routes()) {
        const answer = await call(bot.url, method!, path!, method === 'POST' && path!.endsWith('activities') ? { json: { type: 'message', text: 'hi' } } : {});
        expect([method, path, answer.status]).toEqual([method, path, 401]);
        expect(answer.body.error).toMatch(/token/);
        expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      }
      const notBearer = await call(bot.url, 'GET', `/v3/directline/conversations/${page.conversationId}/activities`, { headers: { authorization: `Basic ${page.token}` } });
      expect(notBearer.status).toBe(401);
    });

    it('403 for a token that is not one of ours, on every route', async () => {
      for (const [method, path] of routes()) {
        const answer = await call(bot.url, method!, path!, { token: 'not-a-real-token', ...(method === 'POST' && path!.endsWith('activities') ? { json: { type: 'message', text: 'hi' } } : {}) });
        expect([method, path, answer.status]).toEqual([method, path, 403]);
      }
    });

    it("403 for another conversation's token", async () => {
      const poll = await call(bot.url, 'GET', `/v3/directline/conversations/${page.conversationId}/activities`, { token: other.token });
      expect(poll.status).toBe(403);
      expect(poll.body.error).toMatch(/another conversation/);
      const post = await page.post({ type: 'message', text: 'not mine' }, other.token);
      expect(post.status).toBe(403);
      const reconnect = await call(bot.url, 'GET', `/v3/directline/conversations/${page.conversationId}`, { token: other.token });
      expect(reconnect.status).toBe(403);
      // Nothing was posted into the conversation.
      const all = await call<{ activities: Activity[] }>(bot.url, 'GET', `/v3/directline/conversations/${page.conversationId}/activities`, { token: page.token });
      expect(all.body.activities.map((a) => a.text)).not.toContain('not mine');
    });

    it('404 for a conversation that does not exist (with a valid token)', async () => {
      for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'not|an|id', randomUUID()]) {
        const poll = await call(bot.url, 'GET', `/v3/directline/conversations/${encodeURIComponent(id)}/activities`, { token: page.token });
        expect(poll.status).toBe(404);
        const post = await call(bot.url, 'POST', `/v3/directline/conversations/${encodeURIComponent(id)}/activities`, { token: page.token, json: { type: 'message', text: 'hi' } });
        expect(post.status).toBe(404);
        const reconnect = await call(bot.url, 'GET', `/v3/directline/conversations/${encodeURIComponent(id)}`, { token: page.token });
        expect(reconnect.status).toBe(404);
      }
    });

    it('refreshes: a new token for the same conversation; the previous one still works until it expires', async () => {
      const refreshed = await call(bot.url, 'POST', '/v3/directline/tokens/refresh', { token: page.token });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body).toMatchObject({ conversationId: page.conversationId, expires_in: 1800 });
      const newToken = String(refreshed.body.token);
      expect(newToken).not.toBe(page.token);
      for (const token of [newToken, page.token]) {
        const poll = await call(bot.url, 'GET', `/v3/directline/conversations/${page.conversationId}/activities`, { token });
        expect(poll.status).toBe(200);
      }
    });
  });

  describe('resuming and ending a conversation', () => {
    it('resumes with the resume token: the same conversation, a new Direct Line token, a new resume token', async () => {
      const page = new PageClient(bot.url);
      const generated = await page.generate();
      await page.start();
      await page.answer('register', /check 1 of 6/);
      const resumed = await call(bot.url, 'POST', '/v3/directline/tokens/resume', { token: String(generated.body.resumeToken) });
      expect(resumed.status).toBe(200);
      expect(resumed.body).toMatchObject({ conversationId: page.conversationId, expires_in: 1800, resumed: 'kept', resumeExpiresIn: 30 * 24 * 60 * 60 });
      expect(resumed.body.token).not.toBe(page.token);
      expect(resumed.body.resumeToken).toEqual(expect.any(String));
      // A new page with the new token sees the whole conversation and carries on.
      const again = new PageClient(bot.url);
      again.token = String(resumed.body.token);
      again.conversationId = page.conversationId;
      await again.poll();
      expect(again.received.map((a) => a.id)).toEqual(page.received.map((a) => a.id));
      await again.answer('Care provider', /check 2 of 6/);
    });

    it('never takes one kind of token for the other, nor a token from elsewhere', async () => {
      const page = new PageClient(bot.url);
      const generated = await page.generate();
      await page.start();
      const resumeToken = String(generated.body.resumeToken);
      const poll = await call(bot.url, 'GET', `/v3/directline/conversations/${page.conversationId}/activities`, { token: resumeToken });
      expect(poll.status).toBe(403);
      expect((await call(bot.url, 'POST', '/v3/directline/tokens/resume', { token: page.token })).status).toBe(403);
      expect((await call(bot.url, 'POST', '/v3/directline/tokens/resume', {})).status).toBe(401);
      // A token whose conversation id was changed no longer matches its signature.
      const [payload, signature] = resumeToken.split('.') as [string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      const forged = `${Buffer.from(JSON.stringify({ ...claims, c: 'AAAAAAAAAAAAAAAAAAAAAA' })).toString('base64url')}.${signature}`;
      const refused = await call(bot.url, 'POST', '/v3/directline/tokens/resume', { token: forged });
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatch(/can no longer be resumed/);
    });

    it('ends a conversation ("start a new conversation"): its tokens stop working; a new one starts as usual', async () => {
      const page = new PageClient(bot.url);
      const generated = await page.generate();
      await page.start();
      await page.botSays(/What would you like to do\?/);
      const other = new PageClient(bot.url);
      await other.generate();
      // Only with its own token.
      expect((await call(bot.url, 'DELETE', `/v3/directline/conversations/${page.conversationId}`, { token: other.token })).status).toBe(403);
      const ended = await call(bot.url, 'DELETE', `/v3/directline/conversations/${page.conversationId}`, { token: page.token });
      expect(ended.status).toBe(204);
      expect((await call(bot.url, 'GET', `/v3/directline/conversations/${page.conversationId}/activities`, { token: page.token })).status).toBe(404);
      expect((await page.post({ type: 'message', text: 'still there?' })).status).toBe(403);
      const resumed = await call(bot.url, 'POST', '/v3/directline/tokens/resume', { token: String(generated.body.resumeToken) });
      expect(resumed.status).toBe(403);
      expect(resumed.body.error).toMatch(/has ended; start a new one/);
      const fresh = new PageClient(bot.url);
      await fresh.generate();
      expect((await fresh.start()).status).toBe(201);
    });
  });

  describe('bad requests', () => {
    let page: PageClient;

    beforeAll(async () => {
      page = new PageClient(bot.url);
      await page.generate();
      await page.start();
    });

    const badActivities: [string, { json?: unknown; raw?: string; contentType?: string }, RegExp][] = [
      ['no body', {}, /empty/],
      ['not JSON', { raw: '{"type": "message", ', contentType: 'application/json' }, /not valid JSON/],
      ['plain text', { raw: 'hello', contentType: 'text/plain' }, /JSON/],
      ['an array', { json: [{ type: 'message', text: 'hi' }] }, /JSON object/],
      ['a string', { json: 'hello' }, /JSON object/],
      ['no type', { json: { text: 'hi' } }, /"type"/],
      ['a type the page may not send', { json: { type: 'conversationUpdate', membersAdded: [{ id: 'x' }] } }, /cannot be posted/],
      ['an invoke', { json: { type: 'invoke', name: 'x' } }, /cannot be posted/],
      ['a message with nothing in it', { json: { type: 'message' } }, /"text", "value" or "attachments"/],
      ['text that is not a string', { json: { type: 'message', text: 42 } }, /"text" must be a string/],
      ['an event without a name', { json: { type: 'event' } }, /"name"/],
      ['a bad locale', { json: { type: 'message', text: 'hi', locale: 'en GB; drop' } }, /locale/],
      ['from that is not an object', { json: { type: 'message', text: 'hi', from: 'me' } }, /"from"/],
      ['attachments that are not a list', { json: { type: 'message', attachments: 'x' } }, /"attachments"/],
      ['too large', { json: { type: 'message', text: 'x'.repeat(40 * 1024) } }, /larger than/],
    ];

    it.each(badActivities)('posting %s: 4xx with a reason, never 500', async (_name, body, reason) => {
      const answer = await call(bot.url, 'POST', `/v3/directline/conversations/${page.conversationId}/activities`, { token: page.token, ...body });
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect([400, 413]).toContain(answer.status);
      expect(answer.body.error).toMatch(reason);
    });

    it('bad bodies for tokens and conversations: 400 with a reason', async () => {
      const cases: [string, string, { json?: unknown; raw?: string; contentType?: string; token?: string }, RegExp][] = [
        ['POST', '/v3/directline/tokens/generate', { json: [] }, /JSON object/],
        ['POST', '/v3/directline/tokens/generate', { json: { user: 'me' } }, /"user"/],
        ['POST', '/v3/directline/tokens/generate', { json: { user: { id: 'a b <c>' } } }, /"user.id"/],
        ['POST', '/v3/directline/tokens/generate', { raw: '{', contentType: 'application/json' }, /not valid JSON/],
        ['POST', '/v3/directline/conversations', { token: page.token, json: { locale: 42 } }, /locale/],
        ['POST', '/v3/directline/conversations', { token: page.token, json: 'x' }, /JSON object/],
      ];
      for (const [method, path, options, reason] of cases) {
        const answer = await call(bot.url, method, path, options);
        expect([path, answer.status]).toEqual([path, 400]);
        expect(answer.body.error).toMatch(reason);
      }
    });

    it('bad watermarks: 400', async () => {
      for (const watermark of ['abc', '-1', '1.5', '999999']) {
        const answer = await call(bot.url, 'GET', `/v3/directline/conversations/${page.conversationId}/activities?watermark=${watermark}`, { token: page.token });
        expect([watermark, answer.status]).toEqual([watermark, 400]);
        expect(answer.body.error).toMatch(/watermark/);
      }
    });

    it('a generated token may name its user; the activities it posts are from that user unless they say otherwise', async () => {
      const generated = await call(bot.url, 'POST', '/v3/directline/tokens/generate', { json: { user: { id: 'dl_alice' } } });
      expect(generated.status).toBe(200);
      const token = String(generated.body.token);
      const id = String(generated.body.conversationId);
      const posted = await call(bot.url, 'POST', `/v3/directline/conversations/${id}/activities`, { token, json: { type: 'message', text: 'hello', from: { role: 'bot' } } });
      expect(posted.status).toBe(200);
      const all = await call<{ activities: Activity[] }>(bot.url, 'GET', `/v3/directline/conversations/${id}/activities`, { token });
      const echo = all.body.activities.find((a) => a.id === posted.body.id);
      // Never a bot: whatever the page says, what it posts is from a user.
      expect(echo?.from).toEqual({ id: 'dl_alice', role: 'user' });
    });
  });

  describe("the bot's connector", () => {
    it('refuses replies without this process\'s secret: 401 without a token, 403 with any other (an Azure AD token included)', async () => {
      const page = new PageClient(bot.url);
      await page.generate();
      await page.start();
      await page.botSays(/What would you like to do\?/);
      for (const path of [
        `/directline/connector/v3/conversations/${page.conversationId}/activities`,
        `/directline/connector/v3/conversations/${page.conversationId}/activities/${encodeURIComponent(`${page.conversationId}|0000001`)}`,
        `/directline/connector/v3/conversations/AAAAAAAAAAAAAAAAAAAAAA/activities`,
      ]) {
        const activity = { type: 'message', text: 'I am the bot, honest' };
        expect((await call(bot.url, 'POST', path, { json: activity })).status).toBe(401);
        expect((await call(bot.url, 'POST', path, { json: activity, token: page.token })).status).toBe(403);
        expect((await call(bot.url, 'POST', path, { json: activity, token: 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln' })).status).toBe(403);
      }
      const all = await call<{ activities: Activity[] }>(bot.url, 'GET', `/v3/directline/conversations/${page.conversationId}/activities`, { token: page.token });
      expect(all.body.activities.map((a) => a.text)).not.toContain('I am the bot, honest');
    });
  });
});

describe('the Direct Line channel on a server of its own (limits, the connector, an app id)', () => {
  let bot: RunningBot;
  let server: restify.Server;
  let directLine: DirectLine;
  let url: string;
  const clock = fakeClock(Date.now());
  const turnErrors: Error[] = [];
  const reopenings: { id: string; transcriptKept: boolean }[] = [];
  const state = new MemoryDirectLineState({
    now: clock.now,
    limits: { maxConversations: 3, maxActivitiesPerConversation: 6, maxBytesPerConversation: 64 * 1024, evictableAfterMs: 60 * 1000, ttlMs: 30 * DAY },
  });

  beforeAll(async () => {
    bot = await startBot();
    const logger = createLogger('silent');
    server = restify.createServer({ handleUncaughtExceptions: false });
    server.use(restify.plugins.bodyParser({ mapParams: false, rejectUnknown: false }));
    const adapter = createAdapter(loadConfig({ LOG_LEVEL: 'silent' }), logger);
    adapter.onTurnError = async (_context, error) => {
      turnErrors.push(error);
    };
    directLine = registerDirectLine(
      server,
      { adapter, bot: bot.assistant.bot, store: bot.assistant.store, logger },
      { state, limits: { tokenTtlMs: 30 * 60 * 1000 }, now: clock.now, onReopened: (conversation, how) => reopenings.push({ id: conversation.id, ...how }) },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    (server?.server as unknown as { closeAllConnections?: () => void })?.closeAllConnections?.();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await bot?.close();
  });

  it('a page opened again says so when it resumes: the bot is asked to say where it stands (and the transcript is there)', async () => {
    const page = new PageClient(url);
    const generated = await page.generate();
    await page.start();
    await page.botSays(/What would you like to do\?/);
    const token = String(generated.body.resumeToken);
    // A token renewed while the page is open is not an opening.
    expect((await call(url, 'POST', '/v3/directline/tokens/resume', { token })).status).toBe(200);
    expect(reopenings.filter((r) => r.id === page.conversationId)).toEqual([]);
    expect((await call(url, 'POST', '/v3/directline/tokens/resume', { token, json: { reopened: true } })).status).toBe(200);
    expect(reopenings.filter((r) => r.id === page.conversationId)).toEqual([{ id: page.conversationId, transcriptKept: true }]);
  });

  it('keeps only the newest activities of a conversation; watermarks keep counting', async () => {
    const page = new PageClient(url);
    await page.generate();
    await page.start();
    await page.botSays(/What would you like to do\?/);
    for (const text of ['menu', 'help', 'menu']) await page.say(text);
    await page.poll();
    const total = Number(page.watermark);
    expect(total).toBeGreaterThan(6);
    const all = await call<{ activities: Activity[]; watermark: string }>(url, 'GET', `/v3/directline/conversations/${page.conversationId}/activities?watermark=0`, { token: page.token });
    expect(all.body.activities).toHaveLength(6);
    expect(all.body.activities.map((a) => a.id)).toEqual(page.received.slice(-6).map((a) => a.id));
    expect(all.body.watermark).toBe(String(total));
  });

  it('holds at most maxConversations: a conversation takes a place when it starts; room is made from ones left alone, else 503', async () => {
    // Start from nothing: conversations unused for their whole lifetime are gone.
    clock.advance(31 * DAY);
    expect(await directLine.size()).toBe(0);
    // Tokens alone take no place.
    const pages = [new PageClient(url), new PageClient(url), new PageClient(url), new PageClient(url)];
    for (const page of pages) await page.generate();
    expect(await directLine.size()).toBe(0);
    for (const page of pages.slice(0, 3)) expect((await page.start()).status).toBe(201);
    expect(await directLine.size()).toBe(3);
    const refused = await pages[3]!.start();
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(refused.body.error).toMatch(/too many conversations/);

    // Two minutes later the second and third are still polled; the first is not: it makes room.
    clock.advance(2 * 60 * 1000);
    for (const page of pages.slice(1, 3)) await page.poll();
    expect((await pages[3]!.start()).status).toBe(201);
    expect(await directLine.size()).toBe(3);
    // The first page's conversation is gone (404 is what tells Web Chat it ended).
    const gone = await call(url, 'GET', `/v3/directline/conversations/${pages[0]!.conversationId}/activities`, { token: pages[0]!.token });
    expect(gone.status).toBe(404);
  });

  it('refuses an expired token (403), and forgets a conversation unused for its lifetime (404)', async () => {
    clock.advance(31 * DAY);
    const page = new PageClient(url);
    await page.generate();
    await page.start();
    await page.botSays(/What would you like to do\?/);
    clock.advance(31 * 60 * 1000);
    const expired = await call(url, 'GET', `/v3/directline/conversations/${page.conversationId}/activities`, { token: page.token });
    expect(expired.status).toBe(403);
    expect(expired.body.error).toMatch(/expired/);

    const later = new PageClient(url);
    await later.generate();
    await later.start();
    await later.botSays(/What would you like to do\?/);
    // A refreshed token every 15 minutes keeps it going; a month without use, and it is gone.
    clock.advance(15 * 60 * 1000);
    const refreshed = await call(url, 'POST', '/v3/directline/tokens/refresh', { token: later.token });
    expect(refreshed.status).toBe(200);
    later.token = String(refreshed.body.token);
    clock.advance(30 * DAY);
    await expect(state.get(later.conversationId)).resolves.toBeUndefined();
  });

  it('resumes for as long as the bot keeps state: after 29 days, and reopened when its place was given up; not after 30 unused days', async () => {
    clock.advance(31 * DAY);
    const page = new PageClient(url);
    const generated = await page.generate();
    await page.start();
    await page.answer('register', /check 1 of 6/);
    clock.advance(29 * DAY);
    const resumed = await call(url, 'POST', '/v3/directline/tokens/resume', { token: String(generated.body.resumeToken) });
    expect(resumed.status).toBe(200);
    expect(resumed.body.resumed).toBe('kept');
    const back = new PageClient(url);
    back.token = String(resumed.body.token);
    back.conversationId = page.conversationId;
    await back.poll();
    expect(back.received.map((a) => a.text)).toContain('register');

    // Its place given up to others (made room for), the conversation is opened again under the same
    // id, so the bot's own state (webchat + id) carries on: the same step.
    const kept = new PageClient(url);
    const keptToken = await kept.generate();
    await kept.start();
    await kept.answer('register', /check 1 of 6/);
    // Three other visitors fill the three places, two minutes after this one was last used.
    clock.advance(3 * 60 * 1000);
    for (let i = 0; i < 3; i++) {
      const visitor = new PageClient(url);
      await visitor.generate();
      expect((await visitor.start()).status).toBe(201);
    }
    await expect(state.get(kept.conversationId)).resolves.toBeUndefined();
    clock.advance(3 * 60 * 1000);
    const reopened = await call(url, 'POST', '/v3/directline/tokens/resume', { token: String(keptToken.body.resumeToken) });
    expect(reopened.status).toBe(200);
    expect(reopened.body.resumed).toBe('reopened');
    const returned = new PageClient(url);
    returned.token = String(reopened.body.token);
    returned.conversationId = kept.conversationId;
    await returned.answer('Dental practice', /check 2 of 6/);

    // Thirty days without use: the resume token has expired with the conversation.
    clock.advance(30 * DAY + 1_000);
    const tooLate = await call(url, 'POST', '/v3/directline/tokens/resume', { token: String(reopened.body.resumeToken) });
    expect(tooLate.status).toBe(403);
  });

  it('serves the page channel with an app id too when told to (WEBCHAT_ENABLED), with no Azure AD call: the Direct Line token is the trust boundary', async () => {
    const appId = randomUUID();
    const secured = await startBot({ MicrosoftAppId: appId, MicrosoftAppPassword: 'not-a-real-secret', WEBCHAT_ENABLED: 'true' });
    try {
      // /api/messages still wants a Bot Framework token (CloudAdapter logs the refusal: kept quiet here)…
      const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      try {
        const direct = await call(secured.url, 'POST', '/api/messages', {
          json: { type: 'message', text: 'hi', channelId: 'emulator', serviceUrl: 'http://127.0.0.1:1', conversation: { id: 'c' }, from: { id: 'u' }, recipient: { id: 'b' } },
        });
        expect(direct.status).toBe(401);
      } finally {
        quiet.mockRestore();
      }
      // …while the page's conversations run offline, replies included.
      const page = new PageClient(secured.url);
      await page.generate();
      await page.start();
      const messages = await page.botSays(/What would you like to do\?/);
      expect(messages[0]?.from?.id).toBe(appId);
      await page.answer('register', /check 1 of 6/);
    } finally {
      await secured.close();
    }
  });
});
