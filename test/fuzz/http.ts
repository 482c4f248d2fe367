import fc from 'fast-check';
import { ChannelActivity, LocalChannel } from '../../bench/localChannel';
import type { Reply } from '../../dialogs/types';
import { MAX_BODY_BYTES } from '../../bot/server';
import { RunningBot, startBot } from '../helpers/bot';
import { scaled } from '../helpers/timeouts';
import { batchSeed, cardShapes, Channel, CHANNELS, complete, Failure, knownStates, preview, problemsOf, targets } from './campaign';
import { Exploration, Walk } from './explore';
import { Hostile, hostileInputs, marked } from './hostile';
import { Conversation, keepingLogger, LogLine, Said, Turn, World } from './world';

/**
 * The campaign's share over HTTP: the bot as `npm start` wires it (restify, CloudAdapter, the
 * edge's checks), on a loopback port, with the Emulator's and Teams' channels on loopback too.
 * Malformed bodies and activities are posted to /api/messages (never a 5xx, never a stack or a
 * path in the answer), and hostile messages are sent in conversations at a few states, which must
 * then still be carried through to a finished flow.
 */

const CARD = 'application/vnd.microsoft.card.adaptive';
/** The longest text an activity may carry (bot/activities.ts). */
const MAX_TEXT = 200_000;

/** A bot's replies as the engine's: text (or a card's summary), buttons, card. */
function asReply(activity: ChannelActivity): Reply {
  const card = (activity.attachments as { contentType: string; content: Record<string, unknown> }[] | undefined)?.find((a) => a.contentType === CARD)?.content;
  const choices = activity.suggestedActions?.actions?.map((a) => String(a.value));
  return { text: String(activity.text ?? activity.summary ?? ''), ...(choices?.length ? { choices } : {}), ...(card ? { card } : {}) };
}

/** A World whose turns go over HTTP to a running bot. Its clock is the real one: paths that wait are not walked here. */
export class HttpWorld extends World {
  private constructor(
    readonly bot: RunningBot,
    lines: LogLine[],
    private readonly channels: Record<Conversation['channelId'], LocalChannel>,
  ) {
    super(Date.now(), { assistant: bot.assistant, lines });
  }

  static async start(): Promise<HttpWorld> {
    const lines: LogLine[] = [];
    const bot = await startBot({}, { logger: keepingLogger(lines) });
    const channels = { emulator: await LocalChannel.start({ channelId: 'emulator' }), msteams: await LocalChannel.start({ channelId: 'msteams' }) };
    return new HttpWorld(bot, lines, channels);
  }

  /** An activity as the channel of `conversation` would post it. */
  activity(conversation: Conversation, said: Said, extra: Partial<ChannelActivity> = {}): ChannelActivity {
    const channel = this.channels[conversation.channelId];
    const teams = conversation.channelId === 'msteams' ? { conversation: { id: conversation.id, conversationType: 'personal' } } : {};
    if (said.kind === 'conversationStart') return { ...channel.conversationStart(conversation.id), ...teams };
    return channel.message(conversation.id, said.text ?? '', { ...(said.value !== undefined ? { value: said.value } : {}), ...teams, ...extra });
  }

  protected override async run(conversation: Conversation, said: Said): Promise<{ replies: Reply[]; outcome: 'ok' | 'error'; http: Turn['http'] }> {
    const activity = this.activity(conversation, said);
    // Over the edge's limits (bot/server.ts, bot/activities.ts): refused with a 413 or a 400, rightly.
    const oversized = Buffer.byteLength(JSON.stringify(activity)) > MAX_BODY_BYTES || (activity.text?.length ?? 0) > MAX_TEXT;
    const sent = await this.channels[conversation.channelId].send(this.bot.url, activity);
    return { replies: sent.replies.map(asReply), outcome: sent.status === 200 ? 'ok' : 'error', http: { status: sent.status, body: sent.body, oversized } };
  }

  override async close(): Promise<void> {
    await this.channels.emulator.close();
    await this.channels.msteams.close();
    await this.bot.close();
  }
}

/** What an answer must never show: a stack frame, a source path, an internal error's name. */
const INTERNALS = /\n\s+at |\.ts:\d|node_modules|\/work\/|TypeError|ReferenceError|SyntaxError: Unexpected/;

const good = (channelId: string): Record<string, unknown> => ({
  type: 'message',
  id: 'activity-1',
  channelId,
  serviceUrl: 'http://127.0.0.1:9/',
  from: { id: 'user-1', name: 'User' },
  recipient: { id: 'bot', name: 'Bot' },
  conversation: { id: 'fuzz-malformed' },
  text: 'hello',
});

/** A body for /api/messages that a channel would never send: its text, and the content type it goes with. */
export const malformedBody: fc.Arbitrary<{ kind: string; body: string | Uint8Array; type?: string; encoding?: string }> = fc.oneof(
  // An activity with a field taken away, or of the wrong type or shape.
  fc
    .tuple(
      fc.constantFrom('emulator', 'msteams'),
      fc.array(
        fc.tuple(
          fc.constantFrom('type', 'id', 'channelId', 'serviceUrl', 'from', 'from.id', 'recipient', 'recipient.id', 'conversation', 'conversation.id', 'text', 'value', 'entities', 'attachments', 'membersAdded', 'locale', 'timestamp', 'replyToId', 'channelData', '__proto__', 'constructor'),
          fc.oneof(fc.constant(undefined), fc.jsonValue({ maxDepth: 3 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom(null, '', '\u0000', 'x'.repeat(3_000), [null], [{}], { id: 7 }, 'invoke', 'conversationUpdate')),
        ),
        { minLength: 1, maxLength: 4 },
      ),
    )
    .map(([channelId, changes]) => {
      const activity = JSON.parse(JSON.stringify(good(channelId))) as Record<string, any>;
      // Own keys, even "__proto__" (as JSON.parse makes them), not the prototype.
      const set = (target: Record<string, unknown>, key: string, value: unknown) => Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
      for (const [path, value] of changes) {
        const [head, tail] = path.split('.') as [string, string | undefined];
        if (tail && activity[head] && typeof activity[head] === 'object') set(activity[head], tail, value);
        else set(activity, head, value);
      }
      const body = JSON.stringify(activity);
      return { kind: 'activity with wrong fields', body, type: 'application/json' };
    }),
  fc.jsonValue({ maxDepth: 4 }).map((value) => ({ kind: 'JSON that is not an activity', body: JSON.stringify(value) ?? 'null', type: 'application/json' })),
  fc.constantFrom('', '{', '{"type":', 'null', '[]', '"message"', '{"type":"message"', '\u0000', 'undefined', '{"a":1}}', '{"__proto__":{"type":"message"}}').map((body) => ({ kind: 'broken JSON', body, type: 'application/json' })),
  fc.string({ unit: 'binary', maxLength: 500 }).map((body) => ({ kind: 'random text as JSON', body, type: 'application/json' })),
  fc.uint8Array({ maxLength: 2_000 }).map((body) => ({ kind: 'random bytes', body, type: 'application/json' })),
  fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/xml', '').map((type) => ({ kind: `content type ${JSON.stringify(type)}`, body: JSON.stringify(good('emulator')), type })),
  fc.constantFrom('gzip', 'deflate', 'br').map((encoding) => ({ kind: `content encoding ${encoding}`, body: JSON.stringify(good('emulator')), type: 'application/json', encoding })),
  fc.integer({ min: 300_000, max: 600_000 }).map((n) => ({ kind: 'a body over the size limit', body: JSON.stringify({ ...good('emulator'), text: 'x'.repeat(n) }), type: 'application/json' })),
  fc.integer({ min: 1_000, max: 20_000 }).map((depth) => ({ kind: 'deeply nested JSON', body: `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`, type: 'application/json' })),
);

export interface HttpShare {
  inputs: number;
  ms: number[];
  failures: Failure[];
  /** States fuzzed over HTTP (each on both channels). */
  states: string[];
  /** States whose path led elsewhere in a fresh bot over HTTP, so others were fuzzed instead. */
  notReproduced: string[];
}

/** About this many of the share's inputs are malformed bodies; the rest are messages in conversations. */
const MALFORMED_SHARE = 0.4;
/** Conversations over HTTP are slower: a few states, spread over the flows. */
const HTTP_STATES = 6;

export async function runHttpShare(options: { seed: number; count: number; exploration: Exploration }): Promise<HttpShare> {
  const share: HttpShare = { inputs: 0, ms: [], failures: [], states: [], notReproduced: [] };
  const fail = (state: string, index: number, kind: string, input: string, problem: string) =>
    share.failures.push({ state, channel: 'http', batchSeed: options.seed, index, kind, input, problem });
  const bound = scaled(5_000);
  const bodies = fc.sample(malformedBody, { seed: options.seed, numRuns: Math.round(options.count * MALFORMED_SHARE) });
  const world = await HttpWorld.start();
  try {
    // Malformed bodies and activities.
    for (let index = 0; index < bodies.length; index++) {
      const { kind, body, type, encoding } = bodies[index]!;
      const shown = typeof body === 'string' ? (body.length > 160 ? `${body.slice(0, 150)}… (${body.length} characters)` : body) : `${body.length} bytes`;
      const started = process.hrtime.bigint();
      const from = world.logged.length;
      try {
        const response = await fetch(`${world.bot.url}/api/messages`, {
          method: 'POST',
          headers: { ...(type ? { 'content-type': type } : {}), ...(encoding ? { 'content-encoding': encoding } : {}) },
          body,
          signal: AbortSignal.timeout(bound + 5_000),
        });
        const text = await response.text();
        if (response.status >= 500) fail('/api/messages', index, kind, shown, `answered ${response.status}: ${text.slice(0, 200)}`);
        if (INTERNALS.test(text)) fail('/api/messages', index, kind, shown, `the answer shows internals: ${text.slice(0, 300)}`);
      } catch (error) {
        fail('/api/messages', index, kind, shown, `no answer: ${String(error)}`);
      }
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      share.ms.push(ms);
      share.inputs++;
      if (ms > bound) fail('/api/messages', index, kind, shown, `the answer took ${Math.round(ms)} ms (the bound is ${bound} ms)`);
      for (const line of world.logged.slice(from)) if (line.level >= 50) fail('/api/messages', index, kind, shown, `logged an error: ${line.msg} ${JSON.stringify(line.err ?? '').slice(0, 300)}`);
    }
    // The service is still there for everyone else.
    const health = await fetch(`${world.bot.url}/healthz`);
    if (health.status !== 200) fail('/healthz', 0, 'afterwards', '', `answered ${health.status}`);
    const greeting = await world.turn(world.conversation('emulator', 'after'), { kind: 'conversationStart' });
    if (greeting.outcome !== 'ok' || greeting.replies.length === 0) fail('new conversation', 0, 'afterwards', '', 'a new conversation was not greeted after the malformed bodies');
  } finally {
    await world.close();
  }

  // Hostile messages in conversations, at states spread over the flows (reached without waiting:
  // the clock is real here), each in a bot of its own (a registration submitted in one would make
  // the same path lead elsewhere in the next).
  const reachable = targets(options.exploration)
    .map((ways) => ways.filter((n) => n.at === 0 && n.path.every((s) => !s.after && !s.in)))
    .filter((ways) => ways.length > 0);
  const every = Math.max(1, Math.floor(reachable.length / HTTP_STATES));
  const spread = reachable.filter((_w, i) => i % every === 0);
  // The states spread over the flows first, then the others, until HTTP_STATES have been fuzzed:
  // a state whose path depends on what happened in the engine's own world (a registration already
  // pending, codes counted across conversations) may lead elsewhere in a fresh bot; it is said in
  // the report and the next one is taken.
  const candidates = [...spread, ...reachable.filter((w) => !spread.includes(w))];
  const wanted = Math.min(HTTP_STATES, candidates.length);
  const perBatch = Math.max(1, Math.ceil((options.count - bodies.length) / (wanted * CHANNELS.length)));
  const known = knownStates();
  for (const ways of candidates) {
    if (share.states.length >= wanted) break;
    const target = ways[0]!;
    // Each channel in a bot of its own, walked to the state before any input is sent.
    const walks: { channel: Channel; world: HttpWorld; walk: Walk; reached?: string }[] = [];
    try {
      for (const channel of CHANNELS) {
        const world = await HttpWorld.start();
        const walk = new Walk(world, channel);
        walks.push({ channel, world, walk });
        walks[walks.length - 1]!.reached = (await walk.walk(target.path)).at(-1)?.state.name;
      }
      if (walks.some((w) => w.reached !== target.state.name)) {
        share.notReproduced.push(`${target.state.name} (its path led to ${walks.map((w) => `${w.reached ?? 'nowhere'} on ${w.channel}`).join(' and ')} over HTTP)`);
        continue;
      }
      share.states.push(target.state.name);
      for (const { channel, world, walk } of walks) {
        const seed = batchSeed(options.seed, `http:${target.state.name}`, channel);
        const inputs: Hostile[] = hostileInputs(seed, perBatch, channel === 'msteams' ? cardShapes(target.replies) : undefined);
        let conversation = await world.fork(walk.conversation, 'http');
        for (let index = 0; index < inputs.length; index++) {
          const marker = `zqx${seed.toString(36)}h${index}`;
          const input = marked(inputs[index]!, marker);
          const turn = await world.turn(conversation, input.said);
          share.inputs++;
          share.ms.push(turn.ms);
          for (const problem of problemsOf(turn, bound, marker, known)) fail(target.state.name, index, input.kind, preview(input), `${channel}: ${problem}`);
          if (turn.state.name !== target.state.name) conversation = await world.fork(walk.conversation, 'http');
        }
        const done = await complete(world, conversation, options.exploration);
        for (const turn of done.turns) for (const problem of problemsOf(turn, bound, undefined, known)) fail(target.state.name, inputs.length, 'afterwards', '', `${channel}: carrying the conversation on: ${problem}`);
        if (!done.ok) fail(target.state.name, inputs.length, 'afterwards', '', `${channel}: the conversation could not be carried through to a finished flow: ${done.reason}`);
      }
    } finally {
      await Promise.all(walks.map((w) => w.world.close()));
    }
  }
  return share;
}
