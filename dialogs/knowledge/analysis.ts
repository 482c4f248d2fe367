/**
 * How text becomes search terms, the same for the knowledge base and for what users type:
 * lower case, contractions spelt out ("can't" → "can not", so "not" survives as a word), the
 * domain's synonyms folded onto one word ("nhs mail", "otp", "smb" …), stop words dropped, and
 * every word stemmed with the Snowball English stemmer. MiniSearch then adds prefix and fuzzy
 * matching on the stemmed terms, which covers most misspellings.
 */
import stem from 'wink-porter2-stemmer';
import type { Language } from './schema';

export interface Analyser {
  /** Text → words, with contractions spelt out and synonyms folded (MiniSearch's `tokenize`). */
  tokenize(text: string): string[];
  /** One word → its stemmed term, or null for a stop word (MiniSearch's `processTerm`). */
  processTerm(term: string): string | null;
  /** Both, for callers that want the terms of a text. */
  terms(text: string): string[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Lower case, accents off, curly quotes straight; every run of anything but letters, digits and apostrophes is one space. */
export function plain(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/[^\p{L}\p{N}']+/gu, ' ')
    .replace(/(^|\s)'+|'+(?=\s|$)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A regular expression matching any of the phrases as whole words, longest first. */
function phrasePattern(phrases: readonly string[]): RegExp | undefined {
  const sorted = [...new Set(phrases.map(plain).filter(Boolean))].sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return undefined;
  return new RegExp(`(?<![\\p{L}\\p{N}'])(?:${sorted.map(escape).join('|')})(?![\\p{L}\\p{N}'])`, 'gu');
}

export function createAnalyser(language: Language): Analyser {
  const contractions = new Map(Object.entries(language.contractions).map(([k, v]) => [plain(k), v]));
  const contractionPattern = phrasePattern([...contractions.keys()]);
  const canonicalOf = new Map<string, string>();
  for (const group of language.synonyms) {
    for (const variant of group.variants) canonicalOf.set(plain(variant), plain(group.canonical));
  }
  const synonymPattern = phrasePattern([...canonicalOf.keys()]);
  const stopWords = new Set(language.stopWords.map(plain));

  function tokenize(text: string): string[] {
    let t = plain(text);
    if (contractionPattern) t = t.replace(contractionPattern, (m) => contractions.get(m) ?? m);
    // Apostrophes left over are possessives ("manager's"): drop them before synonyms are matched.
    t = t.replace(/'s\b/g, '').replace(/'/g, '');
    if (synonymPattern) t = t.replace(synonymPattern, (m) => canonicalOf.get(m) ?? m);
    return t.split(' ').filter(Boolean);
  }

  function processTerm(term: string): string | null {
    const word = plain(term);
    if (!word || stopWords.has(word)) return null;
    return /^\d+$/.test(word) ? word : stem(word);
  }

  return {
    tokenize,
    processTerm,
    terms: (text) => tokenize(text).map(processTerm).filter((t): t is string => t !== null),
  };
}
