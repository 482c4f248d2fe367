/**
 * Turning what people type (or what a button sends) into answers. Every button can be typed:
 * by its label, by a common synonym, or by its number in the list.
 */

/** Lower case, no surrounding punctuation, curly quotes straightened, single spaces. */
export function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[^\p{L}\p{N}'&@.+\- ]+/gu, ' ')
    .replace(/(^|\s)[.'\-]+|[.'\-]+(\s|$)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const YES = new Set([
  'yes', 'y', 'yeah', 'yea', 'yep', 'yup', 'ya', 'yes please', 'yes i have', 'yes i do', 'yes we have',
  'yes we do', 'i have', 'i do', 'we have', 'we do', 'sure', 'ok', 'okay', 'correct', 'true', 'affirmative',
  'absolutely', 'definitely', 'of course', 'that s right', "that's right", 'right', 'aye',
]);
const NO = new Set([
  'no', 'n', 'nope', 'nah', 'no thanks', 'no thank you', 'no i have not', "no i haven't", 'no i don t',
  "no i don't", 'no we have not', "no we haven't", "no we don't", 'i have not', "i haven't", "i don't",
  'i do not', 'we have not', "we haven't", "we don't", 'not yet', 'false', 'negative', 'never',
]);

export function parseYesNo(text: string): boolean | undefined {
  const t = normalise(text);
  if (YES.has(t)) return true;
  if (NO.has(t)) return false;
  return undefined;
}

const YES_NO_BUTTONS = [
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
] as const;

/** An answer to a question asked with Yes and No buttons: any way of saying it, or 1 / 2. */
export function parseYesNoAnswer(text: string): boolean | undefined {
  const word = parseYesNo(text);
  if (word !== undefined) return word;
  const button = parseChoice(text, YES_NO_BUTTONS);
  return button === undefined ? undefined : button === 'yes';
}

export interface ChoiceOption<V extends string> {
  value: V;
  label: string;
  /** Other words people use for this option (already in normalised form). */
  synonyms?: readonly string[];
}

/**
 * Picks one option: by number ("2", "2.", "#2", "option 2"), by its label, by a synonym, or by
 * a word that names exactly one option. Anything ambiguous or unknown is undefined.
 */
export function parseChoice<V extends string>(text: string, options: readonly ChoiceOption<V>[]): V | undefined {
  const t = normalise(text);
  if (!t || /^\s*-\s*\d/.test(text)) return undefined;
  const number = /^(?:#|no |number |option )?(\d{1,2})$/.exec(t.replace(/^#\s*/, '#'));
  if (number) {
    const index = Number(number[1]) - 1;
    return options[index]?.value;
  }
  const exact = options.filter((o) => normalise(o.label) === t || o.synonyms?.includes(t));
  if (exact.length === 1) return exact[0]!.value;
  const containing = options.filter((o) =>
    [normalise(o.label), ...(o.synonyms ?? [])].some((name) => includesWords(t, name) || includesWords(name, t)),
  );
  return containing.length === 1 ? containing[0]!.value : undefined;
}

function includesWords(haystack: string, needle: string): boolean {
  return needle.length >= 3 && ` ${haystack} `.includes(` ${needle} `);
}

/** What the user can say at any point of a conversation. */
export type GlobalCommand = 'menu' | 'help' | 'back' | 'cancel' | 'restart';

const GLOBAL_COMMANDS: Record<string, GlobalCommand> = {
  menu: 'menu',
  'main menu': 'menu',
  'show menu': 'menu',
  'show me the menu': 'menu',
  options: 'menu',
  home: 'menu',
  help: 'help',
  'help me': 'help',
  'i need help': 'help',
  '?': 'help',
  'what do i do': 'help',
  back: 'back',
  'go back': 'back',
  previous: 'back',
  'previous question': 'back',
  undo: 'back',
  cancel: 'cancel',
  'cancel this': 'cancel',
  quit: 'cancel',
  exit: 'cancel',
  'stop this': 'cancel',
  'start again': 'restart',
  'start over': 'restart',
  restart: 'restart',
  'begin again': 'restart',
  reset: 'restart',
};

export function parseGlobalCommand(text: string): GlobalCommand | undefined {
  const t = normalise(text);
  return GLOBAL_COMMANDS[t] ?? (text.trim() === '?' ? 'help' : undefined);
}
