import { performance } from 'node:perf_hooks';
import { echoText } from './echoReplies';
import { ChannelActivity, LocalChannel, SendResult } from './localChannel';
import { WATERFALL, WATERFALL_SCRIPT } from './waterfallReplies';

/**
 * What the simulated users say to each bot, and the load itself: all conversations at once,
 * inside each the turns one after the other, each waiting for the bot's HTTP answer (the replies
 * reach the channel's serviceUrl while that request is open).
 */

export type BotKind = 'echo' | 'waterfall' | 'assistant';

export interface ConversationScript {
  /** The messages after the conversation start. */
  messages: readonly string[];
  /** Whether the last reply shows the conversation went where it should. */
  finalOk(text: string): boolean;
}

/** The whole prerequisite questionnaire, typed. The last answer reaches the summary. */
export const ASSISTANT_MESSAGES = ['register', 'care provider', 'no', 'yes', 'no', 'no', 'email'] as const;

export const SCRIPTS: Record<BotKind, ConversationScript> = {
  assistant: { messages: ASSISTANT_MESSAGES, finalOk: (text) => text.includes('all checks done') },
  // The same words as the assistant hears: the echo bot's cost does not depend on them.
  echo: { messages: ASSISTANT_MESSAGES, finalOk: (text) => text === echoText(ASSISTANT_MESSAGES[ASSISTANT_MESSAGES.length - 1]!) },
  // The whole profile (transport, name, age yes, 42, keep it), then a new one begun.
  waterfall: { messages: WATERFALL_SCRIPT, finalOk: (text) => text.startsWith(WATERFALL.transport) },
};

/** Every script has 7 messages: 8 turns with the conversation start. */
export const TURNS_PER_CONVERSATION = 8;
/** Per POST; a turn that takes longer counts as an error. */
export const TURN_TIMEOUT_MS = 30_000;

export interface LoadResult {
  conversations: number;
  turns: number;
  /** Messages the bot sent to the channel (each one an HTTP POST from the bot to the serviceUrl). */
  replies: number;
  latenciesMs: number[];
  /** Latencies by position in the conversation (0 = conversationStart). */
  byTurn: number[][];
  wallMs: number;
  errors: { status: number; noReply: number; failed: number; wrongFinal: number; notRun: number };
  examples: string[];
}

export function emptyLoad(): LoadResult {
  return {
    conversations: 0,
    turns: 0,
    replies: 0,
    latenciesMs: [],
    byTurn: Array.from({ length: TURNS_PER_CONVERSATION }, () => []),
    wallMs: 0,
    errors: { status: 0, noReply: 0, failed: 0, wrongFinal: 0, notRun: 0 },
    examples: [],
  };
}

export function mergeLoads(results: LoadResult[]): LoadResult {
  const merged = emptyLoad();
  for (const r of results) {
    merged.conversations += r.conversations;
    merged.turns += r.turns;
    merged.replies += r.replies;
    merged.latenciesMs.push(...r.latenciesMs);
    r.byTurn.forEach((values, i) => merged.byTurn[i]?.push(...values));
    merged.wallMs += r.wallMs;
    for (const key of Object.keys(merged.errors) as (keyof LoadResult['errors'])[]) merged.errors[key] += r.errors[key];
    merged.examples.push(...r.examples.slice(0, Math.max(0, 5 - merged.examples.length)));
  }
  return merged;
}

export function errorCount(result: LoadResult): number {
  const e = result.errors;
  return e.status + e.noReply + e.failed + e.wrongFinal + e.notRun;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function runLoad(channel: LocalChannel, botUrl: string, conversationIds: string[], script: ConversationScript, deadline: number): Promise<LoadResult> {
  const result = emptyLoad();
  result.conversations = conversationIds.length;
  const example = (text: string) => {
    if (result.examples.length < 5) result.examples.push(text);
  };

  const conversation = async (id: string) => {
    // One user per conversation, as real traffic is (users have a rate limit of their own).
    const user = { id: `user-${id}`, name: 'User' };
    const start = { ...channel.conversationStart(id), from: user, membersAdded: [user, { id: 'bot', name: 'Bot' }] };
    const activities: ChannelActivity[] = [start, ...script.messages.map((text) => channel.message(id, text, { from: user }))];
    let last: SendResult | undefined;
    for (let i = 0; i < activities.length; i++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        result.errors.notRun += activities.length - i;
        example(`${id}: overall timeout, ${activities.length - i} turns not run`);
        return;
      }
      const started = performance.now();
      try {
        last = await withTimeout(channel.send(botUrl, activities[i]!), Math.min(TURN_TIMEOUT_MS, remaining), 'turn');
        const ms = performance.now() - started;
        result.latenciesMs.push(ms);
        result.byTurn[i]?.push(ms);
        result.turns++;
        result.replies += last.replies.length;
        if (last.status !== 200) {
          result.errors.status++;
          example(`${id} turn ${i + 1}: HTTP ${last.status} ${last.body.slice(0, 120)}`);
        } else if (last.replies.length === 0) {
          result.errors.noReply++;
          example(`${id} turn ${i + 1}: no reply`);
        }
      } catch (error) {
        result.turns++;
        result.errors.failed++;
        last = undefined;
        example(`${id} turn ${i + 1}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const finalText = last?.replies.at(-1)?.text ?? '';
    if (last?.status === 200 && last.replies.length > 0 && !script.finalOk(finalText)) {
      result.errors.wrongFinal++;
      example(`${id}: final reply was "${finalText.slice(0, 120)}"`);
    }
  };

  const started = performance.now();
  await Promise.all(conversationIds.map((id) => conversation(id)));
  result.wallMs = performance.now() - started;
  return result;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface LatencyFigures {
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function latencyFigures(values: number[]): LatencyFigures {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
}
