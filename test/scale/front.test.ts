import { randomUUID } from 'node:crypto';
import { LocalChannel } from '../../bench/localChannel';
import { scaled } from '../helpers/timeouts';
import { BotProcess, buildBot, buttons, Chat, spawnBot, startPrivateRedis, texts } from '../helpers/bot';
import { Front, startFront } from '../helpers/front';
import type { TestRedis } from '../helpers/redis';
import { FAST_TYPIST_LIMITS, RegistrationScript } from './registrationDriver';
import { scriptsFor } from './scenarios';

/**
 * Three bot processes behind a front that is not sticky (each request to the next instance):
 * a conversation whose turns alternate between instances says exactly what one instance says
 * to the same conversation — over the Emulator-style channel and over the web chat's Direct
 * Line. The three share one Redis (database 0); the one instance compared with has a database
 * of its own (1), so both start from nothing.
 */

const REFERENCE = /REG-[A-Z2-9]{8}/g;

/** Every turn of a registration: what the bot said (texts, buttons), with the NAS reference blanked. */
async function transcriptOf(chat: Chat, script: RegistrationScript): Promise<string[][]> {
  const turns: string[][] = [];
  const record = (said: Awaited<ReturnType<Chat['say']>>) => turns.push([...texts(said), `[${buttons(said).join(' | ')}]`].map((t) => t.replace(REFERENCE, 'REG-…')));
  record(await chat.start());
  for (const step of script.steps) {
    const said = await chat.say(step.say);
    record(said);
    expect({ typed: step.say, question: texts(said).at(-1) }).toEqual({ typed: step.say, question: expect.stringMatching(step.then) });
  }
  return turns;
}

interface Activity {
  id: string;
  type: string;
  text?: string;
  from?: { role?: string };
}

/** A web chat page talking Direct Line to `url` (the front, or one instance). */
class Page {
  private token = '';
  private conversationId = '';
  private watermark = '';
  readonly said: string[] = [];

  constructor(private readonly url: string) {}

  private async call(method: string, path: string, json?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...(json !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: json !== undefined ? JSON.stringify(json) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  }

  async open(): Promise<void> {
    const generated = await this.call('POST', '/v3/directline/tokens/generate');
    expect(generated.status).toBe(200);
    this.token = String(generated.body.token);
    this.conversationId = String(generated.body.conversationId);
    expect((await this.call('POST', '/v3/directline/conversations', { user: {}, locale: 'en-GB' })).status).toBe(201);
  }

  /** Polls until the bot has said something matching `pattern`; keeps what it said. */
  async until(pattern: RegExp): Promise<void> {
    const deadline = Date.now() + scaled(15_000);
    for (;;) {
      const polled = await this.call('GET', `/v3/directline/conversations/${this.conversationId}/activities?watermark=${this.watermark}`);
      expect(polled.status).toBe(200);
      this.watermark = String(polled.body.watermark);
      const fromBot = (polled.body.activities as Activity[]).filter((a) => a.type === 'message' && a.from?.role === 'bot');
      this.said.push(...fromBot.map((a) => a.text ?? ''));
      if (fromBot.some((a) => pattern.test(a.text ?? ''))) return;
      if (Date.now() > deadline) throw new Error(`the bot did not say ${pattern}; it said:\n${this.said.join('\n---\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async say(text: string): Promise<void> {
    const posted = await this.call('POST', `/v3/directline/conversations/${this.conversationId}/activities`, {
      type: 'message',
      text,
      from: { id: 'dl_page', role: 'user' },
      channelData: { clientActivityID: randomUUID() },
    });
    expect(posted.status).toBe(200);
  }
}

describe('three bot processes behind a round-robin front', () => {
  let outDir: string;
  let redis: TestRedis;
  let channel: LocalChannel;
  let front: Front;
  const three: BotProcess[] = [];
  let alone: BotProcess;

  beforeAll(async () => {
    outDir = await buildBot();
    redis = await startPrivateRedis();
    channel = await LocalChannel.start();
    // One proxy in front: the bots read the page's own address from X-Forwarded-For.
    const env = { ...FAST_TYPIST_LIMITS, WEBCHAT_TRUSTED_PROXIES: '1' };
    for (let i = 0; i < 3; i++) three.push(await spawnBot(outDir, { ...env, REDIS_URL: redis.url }));
    alone = await spawnBot(outDir, { ...env, REDIS_URL: `${redis.url}/1` });
    front = await startFront(three.map((bot) => bot.url));
  }, scaled(150_000));

  afterAll(async () => {
    await front?.close();
    await Promise.all([...three, alone].filter(Boolean).map((bot) => bot.kill()));
    await channel?.close();
    await redis?.stop();
  }, scaled(30_000));

  it('takes a whole registration turn by turn through all three instances, saying exactly what one instance says', async () => {
    const [script] = scriptsFor(1, 160);
    const before = [...front.served];
    const throughFront = await transcriptOf(new Chat(channel, front.url, `conv-${randomUUID()}`), script!);
    const served = front.served.map((n, i) => n - before[i]!);
    // Not sticky: the turns went to every instance in turn (the front counts each POST).
    expect(Math.max(...served) - Math.min(...served)).toBeLessThanOrEqual(1);
    expect(Math.min(...served)).toBe(Math.floor((script!.steps.length + 1) / 3));

    const onOne = await transcriptOf(new Chat(channel, alone.url, `conv-${randomUUID()}`), script!);
    expect(throughFront).toEqual(onOne);
    expect(front.failed).toBe(0);
  }, scaled(120_000));

  it('serves a web chat page (Direct Line) whose every request reaches the next instance as one instance would', async () => {
    const script: [string, RegExp][] = [
      ['', /What would you like to do\?/],
      ['register', /check 1 of 6/],
      ['care', /check 2 of 6/],
      ['no', /check 3 of 6/],
      ['back', /check 2 of 6/],
      ['no', /check 3 of 6/],
      ['yes', /check 4 of 6/],
      ['help', /check 4 of 6/],
      ['no', /check 5 of 6/],
    ];
    const run = async (url: string) => {
      const page = new Page(url);
      await page.open();
      for (const [text, next] of script) {
        if (text) await page.say(text);
        await page.until(next);
      }
      return page.said;
    };
    const before = [...front.served];
    const throughFront = await run(front.url);
    const served = front.served.map((n, i) => n - before[i]!);
    expect(Math.min(...served)).toBeGreaterThan(3);
    expect(throughFront).toEqual(await run(alone.url));
  }, scaled(120_000));
});
