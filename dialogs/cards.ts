/**
 * Adaptive Cards (version 1.5, Action.Submit only) for Teams and the web chat page. Channels
 * without cards keep the step-by-step text prompts; both reach the same machine events.
 *
 * Anything a user typed (names, email addresses) and any address to copy goes into a card as a
 * `TextRun` of a `RichTextBlock`: runs are plain text, never markdown, so nothing needs escaping,
 * nothing becomes a link and nothing invisible is added to what a user may copy.
 */

import { quote } from './text';

export type AdaptiveCard = Record<string, unknown>;
export type Element = Record<string, unknown>;

export const CARD_VERSION = '1.5';

/** What a form showed and what was wrong with it, to show it again with the errors beside the fields. */
export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
}

export function card(body: Element[], actions: Element[] = []): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: CARD_VERSION,
    body,
    ...(actions.length ? { actions } : {}),
  };
}

/**
 * Text from outside in a card's markdown (a TextBlock, a FactSet value): markdown escaped, nothing
 * invisible added. For what a user typed, `plain` is better still (no markdown at all).
 */
export const escapeCardText = quote;

/** Our own wording (markdown allowed). */
export const heading = (text: string): Element => ({ type: 'TextBlock', text, weight: 'Bolder', size: 'Medium', wrap: true });
export const paragraph = (text: string): Element => ({ type: 'TextBlock', text, wrap: true });
export const attention = (text: string): Element => ({ ...paragraph(text), color: 'Attention' });

/** One plain-text run: shown exactly as given. */
export const run = (text: string, extra: Element = {}): Element => ({ type: 'TextRun', text, ...extra });

/** Plain text (what a user typed), as given: no markdown, no link. */
export const plain = (text: string, extra: Element = {}): Element => ({ type: 'RichTextBlock', inlines: [run(text)], ...extra });

/** "Label: value" with the value as plain text. */
export const labelled = (label: string, value: string): Element => ({
  type: 'RichTextBlock',
  inlines: [run(`${label}: `, { weight: 'Bolder' }), run(value)],
  spacing: 'None',
});

/**
 * A button. `form: true` sends the card's inputs and checks them first; every other button sends
 * only its own data (`associatedInputs: none`), so Back works on an empty form.
 */
export const submit = (
  title: string,
  data: Record<string, unknown>,
  options: { style?: 'positive' | 'destructive'; form?: boolean; tooltip?: string } = {},
): Element => ({
  type: 'Action.Submit',
  title,
  data,
  ...(options.style ? { style: options.style } : {}),
  ...(options.form ? {} : { associatedInputs: 'none' }),
  ...(options.tooltip ? { tooltip: options.tooltip } : {}),
});

/** An error beside a field: our wording, with any quoted user text already escaped. */
export function fieldError(id: string, message: string | undefined): Element[] {
  return message ? [{ type: 'TextBlock', id: `${id}Error`, text: message, color: 'Attention', wrap: true, spacing: 'None' }] : [];
}

/** A choice set of many options, with a button that sends the choice. */
export function choiceList(id: string, label: string, choices: { title: string; value: string }[]): Element {
  return { type: 'Input.ChoiceSet', id, label, style: 'compact', isRequired: true, errorMessage: `Please choose one.`, choices, value: choices[0]?.value ?? '' };
}
