/**
 * What the questions remember between turns, kept beside the conversation's snapshot (the engine
 * stores it in the envelope, checked with this schema): misses in a row, the answer whose "was
 * this helpful?" is waiting, the "did you mean" choices just offered, the last question asked,
 * the organisation kind once known, and the last turns for a hand-over — every text in it without
 * personal data (dialogs/questions/redact.ts), and answers to a flow's fields never as typed.
 */
import { z } from 'zod';

export const MAX_TURNS = 8;
const Id = z.string().min(1).max(80);

export const QuestionMemorySchema = z.object({
  /** Questions in a row that found nothing ("none of these" and "not helpful" count). */
  misses: z.number().int().min(0).max(20),
  /** The answer just given, waiting for "was this helpful?"; `others` are the runners-up. */
  feedback: z.object({ entry: Id, others: z.array(Id).max(3) }).optional(),
  /** The entries just offered as "did you mean" (their titles were the buttons). */
  offered: z.array(Id).max(4).optional(),
  /** "Talk to a person" was said without a question: the next message is the question. */
  awaitingQuestion: z.boolean().optional(),
  /** The last question asked (redacted): what a hand-over passes on. */
  question: z.string().max(500).optional(),
  /** The organisation kind, once a flow has learnt it: later answers say careadmin or dentistadmin. */
  kind: z.enum(['care', 'dental']).optional(),
  /** The last turns, oldest first, without personal data. */
  turns: z.array(z.object({ from: z.enum(['user', 'assistant']), text: z.string().max(300) })).max(MAX_TURNS),
});

export type QuestionMemory = z.infer<typeof QuestionMemorySchema>;

export const EMPTY_MEMORY: QuestionMemory = { misses: 0, turns: [] };

/** The memory with one more exchange, the oldest dropped past `MAX_TURNS`. */
export function withTurns(memory: QuestionMemory, user: string | undefined, assistant: string | undefined): QuestionMemory['turns'] {
  const turns = [...memory.turns];
  if (user) turns.push({ from: 'user', text: user.slice(0, 300) });
  if (assistant) turns.push({ from: 'assistant', text: assistant.slice(0, 300) });
  return turns.slice(-MAX_TURNS);
}
