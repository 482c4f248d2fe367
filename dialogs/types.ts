import type { AnyEventObject, AnyMachineSnapshot } from 'xstate';
import type { AdaptiveCard, FormState } from './cards';

/** One message from the assistant: text, and the choices it offers as buttons. */
export interface Reply {
  text: string;
  /** Button labels. Sending a label (typed or pressed) picks it; so does its number. */
  choices?: string[];
  /** On channels with Adaptive Cards, shown instead of the text and buttons. */
  card?: AdaptiveCard;
}

/** What a flow's parser makes of an answer. */
export type FlowParse = AnyEventObject | { invalid: string; form?: FormState } | undefined;

/** How a flow talks: the dialog half of a flow whose machine lives in machines/. */
export interface FlowDialog {
  readonly id: string;
  /** The menu entry, e.g. "Register my organisation for NHSmail". */
  readonly menuLabel: string;
  /** Other ways of asking for this flow from the menu, normalised. */
  readonly menuSynonyms: readonly string[];
  /** A sentence for the greeting: what this flow lets the user do. */
  readonly offer: string;
  /** Said once when the flow starts. */
  intro(): string;
  /**
   * The user's text as an event for the flow's machine; `{ invalid }` when it was understood as
   * an answer but is wrong (the message names the field and the problem); undefined when not
   * understood at all.
   */
  parse(text: string, snapshot: AnyMachineSnapshot): FlowParse;
  /** A card submission (`activity.value`), read by the same rules as typed answers. */
  parseCard?(value: Record<string, unknown>, snapshot: AnyMachineSnapshot): FlowParse;
  /** The current step: question, stop or summary, with where the user is. */
  prompt(snapshot: AnyMachineSnapshot, form?: FormState): Reply;
  /** What to say when the answer was not understood: a hint at what is expected. */
  hint(snapshot: AnyMachineSnapshot): string;
  /** Why the current step is asked again (a failed lookup or check), if it is. */
  problem?(snapshot: AnyMachineSnapshot): string | undefined;
  /** Help on the current step. */
  help(snapshot: AnyMachineSnapshot): string;
  /** The answer given earlier to the current question, shown after "back". */
  previousAnswer(snapshot: AnyMachineSnapshot): string | undefined;
  /** For a returning user: what is done and what is left. */
  progress(snapshot: AnyMachineSnapshot): { done: string[]; left: string[] };
}
