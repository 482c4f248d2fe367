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

/** Yes or no said first, then more words: "yes we have one", "nope dont have one". */
const YES_FIRST = /^(yes|yeah|yea|yep|yup|ya|aye|sure|correct|absolutely|definitely|of course)\b ?(.*)$/;
const NO_FIRST = /^(no|nope|nah|never|not yet)\b ?(.*)$/;
/** Words that take a leading yes back ("yes no", "yes but…", "yeah maybe"). */
const UNSAYS_YES = /\b(no|not|nope|never|dont|don't|do not|haven't|havent|hasn't|hasnt|didn't|didnt|isn't|isnt|can't|cant|cannot|but|maybe|perhaps|unsure|idea)\b|n't\b/;
/** Words after a leading no that make it something else ("no idea", "no problem", "not sure"). */
const UNSAYS_NO = /\b(yes|yeah|but|maybe|perhaps|idea|sure|clue|problem|worries|way|one else|body else)\b/;
/** "dont have one", "we haven't got it", "I've got one": the verb answers the question. */
const HAVE_NOT = /^(?:(?:i|we) )?(?:don'?t|do not|haven'?t|have not|havent|never|didn'?t|did not) (?:have|got|get|had|receive|received)(?: (?:one|it|any|that|a code|a passcode|an account))?(?: yet)?$/;
const HAVE = /^(?:(?:i|we) )?(?:have|'ve|i've|we've|ive|weve)? ?(?:got|have|received|had) (?:one|it)(?: already)?$/;

export function parseYesNo(text: string): boolean | undefined {
  const t = normalise(text);
  if (YES.has(t)) return true;
  if (NO.has(t)) return false;
  if (t.length > 60) return undefined;
  if (HAVE_NOT.test(t)) return false;
  if (HAVE.test(t)) return true;
  const yes = YES_FIRST.exec(t);
  if (yes && yes[2] && !UNSAYS_YES.test(yes[2])) return true;
  const no = NO_FIRST.exec(t);
  if (no && no[2] && !UNSAYS_NO.test(no[2])) return false;
  return undefined;
}

/** "continue", "go", "next", "ok", or yes: carry on to the next part. Misspelt "contnue" too. */
const CONTINUE_WORDS = new Set([
  'continue', 'continue please', 'next', 'next please', 'next step', 'carry on', 'go on', 'go', 'go go', 'go ahead', 'ready', "i'm ready", 'im ready',
  'i am ready', 'lets go', "let's go", 'ok go', 'ok', 'okay', 'proceed', 'onwards', 'on we go', 'move on', 'keep going', 'done', '1',
]);

export function parseContinue(text: string): boolean {
  const t = normalise(text);
  if (CONTINUE_WORDS.has(t) || parseYesNo(text) === true) return true;
  return t.length >= 6 && editDistance(t, 'continue') <= 2;
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
  const position = ordinal(t, options.length);
  if (position !== undefined) return options[position - 1]?.value;
  const exact = options.filter((o) => normalise(o.label) === t || o.synonyms?.includes(t));
  if (exact.length === 1) return exact[0]!.value;
  const containing = options.filter((o) =>
    [normalise(o.label), ...(o.synonyms ?? [])].some((name) => includesWords(t, name) || includesWords(name, t)),
  );
  return containing.length === 1 ? containing[0]!.value : undefined;
}

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];
const ORDINAL_NUMBERS = ['1st', '2nd', '3rd', '4th', '5th', '6th', '7th', '8th', '9th', '10th'];
const CARDINALS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** "the first one", "2nd", "number two", "the last one", "the top one": a place in a list of `count`. */
function ordinal(t: string, count: number): number | undefined {
  const said = /^(?:it'?s |its |it is )?(?:the )?(\S+)(?: one| option| choice| in the list| on the list)?$/.exec(t)?.[1];
  if (said) {
    if (ORDINALS.includes(said)) return ORDINALS.indexOf(said) + 1;
    if (ORDINAL_NUMBERS.includes(said)) return ORDINAL_NUMBERS.indexOf(said) + 1;
    if (said === 'top') return 1;
    if (said === 'last' || said === 'bottom') return count;
  }
  const cardinal = /^(?:number|option|no) (\S+)$/.exec(t)?.[1];
  return cardinal && CARDINALS.includes(cardinal) ? CARDINALS.indexOf(cardinal) + 1 : undefined;
}

/**
 * An option named with a typing slip: "registr" (the start of a name of 5 letters or more),
 * "regster" (one letter off in 5 to 9, two in longer words). Only when exactly one option is that
 * close, and only for lists where a slip cannot pick a wrong thing silently (the menu).
 */
export function parseChoiceLoosely<V extends string>(text: string, options: readonly ChoiceOption<V>[]): V | undefined {
  const t = normalise(text);
  const typed = t.split(' ');
  if (!typed.some((w) => w.length >= 5)) return undefined;
  const slipOf = (word: string, name: string) =>
    word === name || (word.length >= 5 && name.length >= 5 && (name.startsWith(word) || editDistance(word, name) <= (word.length >= 10 ? 2 : 1)));
  const close = options.filter((o) =>
    [normalise(o.label), ...(o.synonyms ?? [])].some((name) => {
      const words = name.split(' ');
      return typed.every((w) => words.some((n) => slipOf(w, n)));
    }),
  );
  return close.length === 1 ? close[0]!.value : undefined;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
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
