/**
 * What every step of the owners' requests shares: the step shape (dialogs/step.ts), picking one
 * person from a list by number, name or address, and the short answers.
 */
import { matchPerson, type OwnerRequestsContext, type SiteAccount } from '../../machines/ownerRequests';
import { parseChoice } from '../parsing';
import { quote } from '../text';
import { answer, type Step as FlowStep } from '../step';
import type { FlowParse } from '../types';
import { KIND_CHOICES, nameOf, who } from './texts';
import { readKind, readPeople } from './read';
import { fullNameOf } from '../../machines/ownerRequests';

export type Step = FlowStep<OwnerRequestsContext>;

/** "What would you like to ask for?" answered (a button, a number, or words that say it). */
export function kindAnswer(text: string, options = KIND_CHOICES): FlowParse {
  const picked = parseChoice(
    text,
    options.map((k) => ({ value: k.kind, label: k.label, synonyms: k.synonyms })),
  );
  const kind = picked ?? readKind(text);
  if (!kind) return undefined;
  const people = kind === 'leaver' ? readPeople(text) : [];
  return { type: 'ANSWER', answer: { question: 'kind', value: kind, ...(people.length ? { people } : {}) } };
}

/**
 * One person picked from `options` (shown as numbered buttons): by number, by name (only one may
 * fit) or by address. Several fitting a name are listed back; nobody fitting says so.
 */
export function personAnswer(question: string, text: string, options: readonly SiteAccount[]): FlowParse {
  const choice = parseChoice(text, options.map((o) => ({ value: o.address, label: fullNameOf(o) })));
  if (choice) return answer(question, choice);
  const typed = readPeople(text)[0] ?? text.trim();
  if (!typed || !/\p{L}/u.test(typed)) return undefined;
  const { matches } = matchPerson(typed, options);
  if (matches.length === 1) return answer(question, matches[0]!.address);
  if (matches.length > 1) return { say: `More than one of them fits “${quote(typed)}”: ${matches.map(who).join('; ')}. Which one? Type the full name or the number.` };
  return { invalid: `${options.length ? `“${quote(typed)}” is not one of the people I can offer here: ${options.map(nameOf).join(', ')}.` : 'There is nobody to choose here.'}` };
}

/** Buttons for a list of people: their names. */
export const peopleChoices = (people: readonly SiteAccount[]) => people.map((p) => fullNameOf(p));

/** Numbered lines: "1. Tom Okafor (tom.okafor@nhs.net)". */
export const numbered = (people: readonly SiteAccount[]) => people.map((p, i) => `${i + 1}. ${who(p)}`).join('\n');
