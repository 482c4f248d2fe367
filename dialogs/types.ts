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

/**
 * What a flow's parser makes of an answer: an event for its machine; `{ invalid }` when it was
 * understood as an answer but is wrong (the message names the field and the problem); `{ say }`
 * when the text asks something the flow can answer at once (where to find a code, why it is
 * needed), after which the same question is asked again; undefined when not understood at all.
 */
export type FlowParse =
  | AnyEventObject
  | { invalid: string; form?: FormState }
  /** `alone`: the answer is all that is said (the step is not asked again), with its own `choices`. */
  | { say: string; alone?: boolean; choices?: string[] }
  | undefined;

/** A field a flow asks for, for "why do you need that?" and "I don't know it" (CONTRACTS §4). */
export interface FieldInfo {
  /** "your CQC location ID" */
  name: string;
  why: string;
  whereToFind: string;
}

/** How a flow talks: the dialog half of a flow whose machine lives in machines/. */
export interface FlowDialog {
  readonly id: string;
  /** The menu entry, e.g. "Register my organisation for NHSmail". */
  readonly menuLabel: string;
  /** Other ways of asking for this flow from the menu, normalised. */
  readonly menuSynonyms: readonly string[];
  /** What one run of the flow is called: "registration" ("Cancel this registration?"). */
  readonly noun?: string;
  /** A sentence for the greeting: what this flow lets the user do. */
  readonly offer: string;
  /** What a message that chose this flow says already (its `start` input), if anything. */
  startFrom?(text: string): Record<string, unknown> | undefined;
  /** Said once when the flow starts. */
  intro(): string;
  /** The user's text as an event for the flow's machine (see `FlowParse`). */
  parse(text: string, snapshot: AnyMachineSnapshot): FlowParse;
  /** A card submission (`activity.value`), read by the same rules as typed answers. */
  parseCard?(value: Record<string, unknown>, snapshot: AnyMachineSnapshot): FlowParse;
  /**
   * The current step: question, stop or summary, with where the user is. `again`: the same step
   * shown once more (after help, a greeting, a question or an answer not understood), so what was
   * said once on arriving there (a notice of what was just done) is not said again.
   */
  prompt(snapshot: AnyMachineSnapshot, form?: FormState, again?: boolean): Reply;
  /** What to say when the answer was not understood: a hint at what is expected. */
  hint(snapshot: AnyMachineSnapshot): string;
  /** Why the current step is asked again (a failed lookup or check), or what was just done, if anything. */
  problem?(snapshot: AnyMachineSnapshot): string | undefined;
  /** Help on the current step. */
  help(snapshot: AnyMachineSnapshot): string;
  /** The answer given earlier to the current question, shown after "back". */
  previousAnswer(snapshot: AnyMachineSnapshot): string | undefined;
  /** Why "back" cannot go anywhere from here. */
  cannotGoBack(snapshot: AnyMachineSnapshot): string;
  /** The field the current step asks for, if it asks for one. */
  field?(snapshot: AnyMachineSnapshot): FieldInfo | undefined;
  /** The kind of organisation, once the flow knows it: answers then name careadmin or dentistadmin. */
  organisationKind?(snapshot: AnyMachineSnapshot): 'care' | 'dental' | undefined;
  /** For a returning user: what it is about ("registering Amazing Carehomes"), what is done and what is left. */
  progress(snapshot: AnyMachineSnapshot): { about?: string; done: string[]; left: string[] };
  /**
   * What cancelling or starting again would throw away, when it is worth asking first (e.g. "your
   * organisation's verification and the 3 people you have added"); undefined: nothing to ask.
   */
  wouldLose?(snapshot: AnyMachineSnapshot): string | undefined;
  /** The flow is finished (e.g. submitted): choosing it again starts a new one. */
  isFinished?(snapshot: AnyMachineSnapshot): boolean;
  /** The menu entry for a new one once finished, e.g. "Register another organisation". */
  readonly againLabel?: string;
  readonly againSynonyms?: readonly string[];
  /** Once finished, whether the text asks for another one in its own words ("register another one"). */
  asksAgain?(text: string): boolean;
}
