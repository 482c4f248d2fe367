import { AsyncLocalStorage } from 'node:async_hooks';
import type { AnyStateNode } from 'xstate';
import { Assistant, createAssistant } from '../../bot/app';
import { loadConfig } from '../../bot/config';
import type { TurnOutcome } from '../../bot/engine';
import { FLOWS, type Flow } from '../../bot/flows';
import { createLogger } from '../../bot/logger';
import type { OutboxMessage } from '../../adapters/outbox';
import type { Reply } from '../../dialogs/types';
import { UNLIMITED } from '../helpers/bot';

/**
 * The assistant in this process, as `bot/app.ts` wires it (memory adapters, the shipped
 * directories), for the fuzz campaign: turns go straight to the engine, each conversation keeps
 * its own clock, and every warning or error the service logs is kept to be looked at.
 */

/** Wednesday 2 December 2026, 10am in London: NAS is open, the fixture accounts are as of the week before. */
export const FUZZ_START = Date.UTC(2026, 11, 2, 10, 0);

/** One conversation of the campaign: a channel, an id, its own clock. */
export interface Conversation {
  channelId: 'emulator' | 'msteams';
  id: string;
  /** This conversation's time: moving it moves no one else's. */
  now: number;
  sequence: number;
  /** What the service put in its outbox during this conversation's turns (a copy keeps them), newest first. */
  sent: OutboxMessage[];
}

/** What the user sends in one turn. */
export interface Said {
  text?: string;
  /** A card's Action.Submit (`activity.value`). */
  value?: unknown;
  kind?: 'message' | 'conversationStart';
}

export interface Turn {
  replies: Reply[];
  outcome: TurnOutcome;
  /** How long the engine took, in milliseconds. */
  ms: number;
  state: State;
  /** Warnings and errors the service logged during the turn. */
  logged: LogLine[];
  /** Thrown by the engine (it should never throw). */
  thrown?: unknown;
  /** Over HTTP: the status and body of the bot's answer; `oversized`: the body was over the bot's limit (a 413 is right). */
  http?: { status: number; body: string; oversized?: boolean };
}

export interface LogLine {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

/** Where a stored conversation stands, read from its envelope. */
export interface State {
  /** 'new' (nothing stored), 'menu', or the flow in progress and what its menu is doing. */
  root: string;
  flowId?: string;
  /** The flow's state as a dotted path, with its child's (e.g. the member entry) after a slash. */
  flowPath?: string;
  /** `root` and `flowPath` together: the state's name in reports. */
  name: string;
  /**
   * The shape of the flow's context: which fields are set, the values of its flags and
   * one-word settings, how many items its lists hold. Two conversations in the same state with
   * the same shape will most likely go on alike (the exploration keeps one of each).
   */
  shape: string;
}

/** A context's shape (see State.shape). */
export function shapeOf(context: unknown, depth = 0): string {
  if (!context || typeof context !== 'object' || Array.isArray(context)) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(context as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) {
    // Who is asking, and why the last answer was refused or what was just done, do not change where a conversation can go.
    if (value === undefined || value === null || ['attemptId', 'session', 'requester', 'problem', 'notice'].includes(key)) continue;
    if (typeof value === 'boolean') parts.push(`${key}=${value}`);
    else if (typeof value === 'string') parts.push(/^[a-z][A-Za-z-]{0,30}$/.test(value) ? `${key}=${value}` : key);
    else if (Array.isArray(value)) parts.push(`${key}[${Math.min(value.length, 4)}]`);
    else if (typeof value === 'object') parts.push(depth < 1 ? `${key}{${shapeOf(value, depth + 1)}}` : key);
    else parts.push(key);
  }
  return parts.join(',');
}

/** A state value as a dotted path ("verification.passcode"); parallel regions joined by commas. */
export function leafPath(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object') return String(value);
  return Object.entries(value as Record<string, unknown>)
    .map(([key, inner]) => {
      const rest = leafPath(inner);
      return rest ? `${key}.${rest}` : key;
    })
    .join(',');
}

type Persisted = { value?: unknown; context?: unknown; children?: Record<string, { snapshot?: Persisted } | undefined> };

/** The state of a stored envelope (the engine's JSON). */
export function stateOf(data: string | undefined): State {
  if (data === undefined) return { root: 'new', name: 'new', shape: '' };
  const envelope = JSON.parse(data) as { snapshot?: Persisted };
  const snapshot = envelope.snapshot ?? {};
  const rootValue = snapshot.value;
  if (rootValue === undefined) return { root: 'new', name: 'new', shape: '' };
  if (typeof rootValue === 'string') return { root: rootValue, name: rootValue, shape: '' };
  const inFlow = (rootValue as Record<string, unknown>).inFlow as Record<string, unknown> | undefined;
  const [flowId, mode] = inFlow ? (Object.entries(inFlow)[0] ?? []) : [];
  if (!flowId) return { root: leafPath(rootValue), name: leafPath(rootValue), shape: '' };
  const parts: string[] = [];
  const shapes: string[] = [];
  let child = snapshot.children?.flow?.snapshot;
  for (let depth = 0; child && depth < 4; depth++) {
    parts.push(leafPath(child.value));
    shapes.push(shapeOf(child.context));
    child = Object.values(child.children ?? {}).find((c) => c?.snapshot)?.snapshot;
  }
  const flowPath = parts.join('/');
  const root = `${flowId}:${String(mode)}`;
  // The flow's own menu, or the question whether to leave it, is one state whatever the flow was at.
  return { root, flowId, flowPath, name: mode === 'active' ? `${flowId}:${flowPath}` : root, shape: shapes.join('/') };
}

/**
 * The states of every flow in bot/flows/index.ts where a user can rest (answer a question, read a
 * stop or a summary), as `flowPath`s: the leaves that are not passed through at once (busy,
 * `always`, invoking, final), with the resting states of a child machine the flow invokes.
 */
export function promptStates(flows: readonly Flow[] = FLOWS): { flowId: string; flowPath: string; tags: string[] }[] {
  const found: { flowId: string; flowPath: string; tags: string[] }[] = [];
  for (const flow of flows) {
    const actors = (flow.machine.implementations?.actors ?? {}) as Record<string, unknown>;
    const walk = (node: AnyStateNode, prefix: string[], into: (path: string, tags: string[]) => void) => {
      const children = Object.values(node.states) as AnyStateNode[];
      if (children.length > 0) {
        for (const child of children) walk(child, [...prefix, child.key], into);
        return;
      }
      const path = prefix.join('.');
      for (const invoke of node.invoke) {
        const src = (invoke as { src: unknown }).src;
        const logic = (typeof src === 'string' ? actors[src] : src) as { root?: AnyStateNode } | undefined;
        // A child machine (the member entry): its resting states are the flow's too.
        if (logic?.root) walk(logic.root, [], (childPath, tags) => into(`${path}/${childPath}`, tags));
      }
      const passing = node.always !== undefined || node.tags.includes('busy') || node.type === 'final' || node.invoke.length > 0;
      if (!passing) into(path, [...node.tags]);
    };
    walk(flow.machine.root, [], (flowPath, tags) => found.push({ flowId: flow.id, flowPath, tags }));
  }
  return found;
}

/** Tags of every flow state by `flowId:flowPath` (for "done"). */
export function tagsByState(flows: readonly Flow[] = FLOWS): Map<string, string[]> {
  return new Map(promptStates(flows).map((s) => [`${s.flowId}:${s.flowPath}`, s.tags]));
}

/** A logger that keeps every line it writes (warnings and errors, at the level given). */
export function keepingLogger(lines: LogLine[], level = 'warn') {
  return createLogger(level, {
    write: (line: string) => {
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        lines.push({ level: 60, msg: `unparsable log line: ${line.slice(0, 200)}` });
      }
    },
  });
}

export class World {
  readonly assistant: Assistant;
  protected readonly clock = new AsyncLocalStorage<Conversation>();
  protected readonly lines: LogLine[];
  private conversations = 0;

  /** With `assistant` (and the lines its logger keeps), a bot wired elsewhere (over HTTP: test/fuzz/http.ts). */
  constructor(
    protected readonly start = FUZZ_START,
    wired?: { assistant: Assistant; lines: LogLine[] },
  ) {
    this.lines = wired?.lines ?? [];
    const now = () => this.clock.getStore()?.now ?? this.start;
    this.assistant = wired?.assistant ?? createAssistant(loadConfig({ LOG_LEVEL: 'warn', ...UNLIMITED }), keepingLogger(this.lines), now);
  }

  /** Every warning and error logged so far. */
  get logged(): readonly LogLine[] {
    return this.lines;
  }

  conversation(channelId: Conversation['channelId'] = 'emulator', name = 'fuzz'): Conversation {
    return { channelId, id: `${name}-${++this.conversations}`, now: this.start, sequence: 0, sent: [] };
  }

  /** One turn of `conversation`, at its time. */
  async turn(conversation: Conversation, said: Said): Promise<Turn> {
    const from = this.lines.length;
    const outbox = this.assistant.adapters.outbox;
    const lastSent = (await outbox.latest(1))[0]?.id;
    const started = process.hrtime.bigint();
    let thrown: unknown;
    let result: { replies: Reply[]; outcome: TurnOutcome; http?: Turn['http'] } = { replies: [], outcome: 'error' };
    try {
      result = await this.clock.run(conversation, () => this.run(conversation, said));
    } catch (error) {
      thrown = error;
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const latest = await outbox.latest(20);
    const fresh = lastSent === undefined ? latest : latest.slice(0, Math.max(0, latest.findIndex((m) => m.id === lastSent)));
    conversation.sent = [...fresh, ...conversation.sent].slice(0, 20);
    return { ...result, ms, state: await this.state(conversation), logged: this.lines.slice(from), ...(thrown !== undefined ? { thrown } : {}) };
  }

  /** Hands one turn to the assistant: here, straight to the engine. */
  protected async run(conversation: Conversation, said: Said): Promise<{ replies: Reply[]; outcome: TurnOutcome; http?: Turn['http'] }> {
    return this.assistant.engine.turn({
      channelId: conversation.channelId,
      conversationId: conversation.id,
      activityId: `${conversation.id}#${++conversation.sequence}`,
      userId: `${conversation.id}-user`,
      kind: said.kind ?? 'message',
      ...(said.text !== undefined ? { text: said.text } : {}),
      ...(said.value !== undefined ? { value: said.value } : {}),
      conversationReference: { channelId: conversation.channelId, conversation: { id: conversation.id }, user: { id: `${conversation.id}-user` } },
    });
  }

  /** Where the conversation stands now (read from the store, as the next turn will find it). */
  async state(conversation: Conversation): Promise<State> {
    return stateOf(await this.stored(conversation));
  }

  async stored(conversation: Pick<Conversation, 'channelId' | 'id'>): Promise<string | undefined> {
    const store = this.assistant.store;
    const lease = await store.begin(this.key(conversation), { limited: false });
    await store.release(lease);
    return lease.stored?.data;
  }

  /** A copy of `conversation` at the same point (same stored state, same clock) under a new id. */
  async fork(conversation: Conversation, name = 'fork'): Promise<Conversation> {
    const copy = { ...this.conversation(conversation.channelId, name), now: conversation.now, sequence: conversation.sequence, sent: [...conversation.sent] };
    const data = await this.stored(conversation);
    if (data !== undefined) {
      const store = this.assistant.store;
      const lease = await store.begin(this.key(copy), { limited: false });
      await store.commit(lease, data);
    }
    return copy;
  }

  private key(conversation: Pick<Conversation, 'channelId' | 'id'>): string {
    return this.assistant.engine.conversationKey({ channelId: conversation.channelId, conversationId: conversation.id });
  }

  async close(): Promise<void> {
    await this.assistant.close();
  }
}
