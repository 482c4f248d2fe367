import type { AnyEventObject } from 'xstate';
import type { AdaptiveCard, FormState } from './cards';
import type { FieldInfo, FlowParse, Reply } from './types';
import type { Result } from './validators';

/**
 * The one way a flow's dialog is written: a table with one `Step` for each state the user can be
 * in, typed against the machine's states (`Steps<State, Context>`), so a state without wording
 * does not compile. A step says its question, reads answers to it, and knows its help.
 */
export interface Step<C> {
  /** The question, stop or summary, without the "Step 2 of 4 · …" line (the dialog adds it). */
  prompt(c: C, form?: FormState): Reply;
  /** Typed text as an event; undefined when it is not an answer to this step. */
  parse?(text: string, c: C): FlowParse;
  /** A card's Action.Submit (`activity.value`) as an event. */
  card?(value: Record<string, unknown>, c: C): FlowParse;
  /**
   * The card shown instead of the text on Teams and the web chat page, if any; `heading` is the
   * "where" line, `question` the step's text (a card may show it, for those who type instead).
   */
  form?(c: C, form: FormState | undefined, heading: string, question: string): AdaptiveCard | undefined;
  /** What is expected, after an answer that was not understood. */
  hint: string | ((c: C) => string);
  help?(c: C): string;
  /** The field asked for: why it is needed and where to find it. */
  field?: FieldInfo;
  /** The answer given earlier, shown after "back". */
  previous?(c: C): string | undefined;
  /** Why "back" goes nowhere from here. */
  noBack?: string | ((c: C) => string);
  /** Added to the "where" line, e.g. " (3 of 10)". */
  where?(c: C): string;
}

export type Steps<S extends string, C> = { readonly [K in S]: Step<C> };

export const hintOf = <C>(step: Step<C>, c: C) => (typeof step.hint === 'string' ? step.hint : step.hint(c));

export const answer = (question: string, value: unknown): AnyEventObject => ({ type: 'ANSWER', answer: { question, value } });

/** A validator's result as an answer to `question`, or as the validator's message. */
export function validated<T>(result: Result<T>, toAnswer: (value: T) => AnyEventObject): FlowParse {
  return result.ok ? toAnswer(result.value) : { invalid: result.error };
}

/** A step's field text asked for: "why do you need that?" or "I don't know it / where is it?". */
export function fieldQuestion(text: string, field: FieldInfo | undefined): FlowParse {
  if (!field) return undefined;
  const t = text.toLowerCase();
  if (/\bwhy\b/.test(t) && /(need|want|ask|for|matter|this|that|it)\b/.test(t)) return { say: field.why };
  if (
    /\b(don'?t|do not|dont|can'?t|cannot|can not|not sure|no idea|unsure)\b.*\b(know|find|have|remember|sure|got|where)\b|\bwhere (do|can|is|would) (i|it|we)\b|\bwhere('s| is)\b|\bnot sure\b|\bno idea\b|\bhow do i find\b|\bwhat('?s| is) (it|that|a|an|my|the)\b|\bdifference\b|\bwhat does (it|that|this) mean\b/.test(
      t,
    )
  ) {
    return { say: field.whereToFind };
  }
  return undefined;
}
