/**
 * Answers from the knowledge base: MiniSearch's BM25 ranking over each entry's phrasings, title,
 * tags and answer (phrasings weigh most), with prefix and fuzzy matching on stemmed terms. The
 * index is built once; a query reads it and nothing else, so the same text always gets the same
 * answer.
 */
import MiniSearch, { type SearchResult } from 'minisearch';
import { createAnalyser, type Analyser } from './analysis';
import type { KnowledgeData } from './data';
import type { Entry, OrganisationKind, Source } from './schema';
import { withoutSlotValues } from './slots';
import { renderText } from './text';

export interface Answer {
  id: string;
  title: string;
  /** The answer, worded for the organisation kind asked about (or for any kind). */
  text: string;
  source: Source[];
}

export interface AnswerResult {
  /** The best match, if anything matched at all. */
  best?: Answer;
  /**
   * 0 to 1: how much of the question the best entry accounts for (the share of the question's
   * terms it matched) times how clearly it beats the runner-up. Below CONFIDENT, ask "did you mean".
   */
  confidence: number;
  confident: boolean;
  /** The top 3 matches, best first (the best included): the "did you mean" choices. */
  alternatives: Answer[];
  /**
   * Whether the best match shares the question's subject: one of the question's content words (not
   * words of asking such as "what", "who", "help", nor bare numbers) when confident, else at least
   * half of them. "What is the weather" matches an answer on "what" alone, so it has no answer at
   * all, not a weak one.
   */
  relevant: boolean;
}

export interface AnswerOptions {
  kind?: OrganisationKind;
}

/** Chosen with `npm run eval:questions` (docs/quality.md): most right answers lie above it, most wrong ones below. */
export const CONFIDENT = 0.2;

const FIELDS = ['questions', 'title', 'tags', 'answer'] as const;

/** Words of asking, not of what is asked about (see AnswerResult.relevant). */
const ASKING_WORDS = ['what', 'who', 'how', 'when', 'where', 'why', 'help', 'need', 'time', 'no', 'not', 'mean', 'meaning', 'define', 'ask', 'say', 'said', 'use', 'make', 'give', 'see', 'find', 'good', 'new'];
const BOOST = { questions: 3, title: 2, tags: 1.5, answer: 0.5 };

/** The search options shared by the answer index and the intent router. */
export function searchOptions(analyser: Analyser) {
  return {
    tokenize: analyser.tokenize,
    processTerm: analyser.processTerm,
    // Prefixes only for words long enough to mean something ("regist…"), edits only for longer ones.
    prefix: (term: string) => term.length >= 4,
    fuzzy: (term: string) => (term.length >= 8 ? 2 : term.length >= 5 ? 1 : false),
    combineWith: 'OR' as const,
  };
}

export interface Ranked {
  id: string;
  score: number;
  /** The query's terms this document matched. */
  matched: number;
}

/**
 * How sure a ranking is: the share of the query's terms the winner matched, times its lead over the
 * runner-up (1 − second score / first score). A one-word question ("mailbox") covers itself fully
 * but many entries match it about as well, so the lead keeps it unsure.
 */
export function confidenceOf(ranked: readonly Ranked[], queryTerms: number): number {
  const [first, second] = ranked;
  if (!first || queryTerms === 0) return 0;
  const coverage = Math.min(1, first.matched / queryTerms);
  const lead = second ? 1 - second.score / first.score : 1;
  return Math.round(coverage * lead * 1000) / 1000;
}

/** The words of asking as terms, for `isRelevant`. */
export function askingTerms(analyser: Analyser): ReadonlySet<string> {
  return new Set(ASKING_WORDS.map((w) => analyser.processTerm(w)).filter((t): t is string => t !== null));
}

/**
 * Whether a match shares the question's subject. Content terms are the question's terms but the
 * words of asking and bare numbers; `known` are those any entry matched at all. Relevant: the match
 * shares one content term and, when confident, at most half of them are unknown to every entry;
 * when not, fewer than half are unknown ("weather", "football") and it shares at least half.
 */
export function isRelevant(
  terms: ReadonlySet<string>,
  matched: readonly string[],
  confident: boolean,
  asking: ReadonlySet<string>,
  known: ReadonlySet<string> = new Set(matched),
): boolean {
  const content = [...terms].filter((t) => !asking.has(t) && !/^\d+$/.test(t));
  const hit = new Set(matched);
  const shared = content.filter((t) => hit.has(t)).length;
  const foreign = content.filter((t) => !known.has(t)).length;
  return shared > 0 && (confident ? foreign * 2 <= content.length : foreign * 2 < content.length && shared * 2 >= content.length);
}

export function ranked(results: readonly SearchResult[]): Ranked[] {
  return results.map((r) => ({ id: String(r.id), score: r.score, matched: new Set(r.queryTerms).size }));
}

export class KnowledgeAnswers {
  private readonly index: MiniSearch;
  private readonly analyser: Analyser;
  private readonly entries: ReadonlyMap<string, Entry>;
  private readonly asking: ReadonlySet<string>;

  constructor(data: KnowledgeData) {
    this.analyser = createAnalyser(data.language);
    this.asking = askingTerms(this.analyser);
    this.entries = new Map(data.entries.map((e) => [e.id, e]));
    const options = searchOptions(this.analyser);
    this.index = new MiniSearch({
      fields: [...FIELDS],
      storeFields: ['kinds'],
      tokenize: options.tokenize,
      processTerm: options.processTerm,
      searchOptions: { ...options, boost: BOOST },
    });
    this.index.addAll(
      data.entries.map((e) => ({
        id: e.id,
        questions: e.questions.join(' \n '),
        title: e.title,
        tags: e.tags.join(' \n '),
        answer: renderText(e.answer),
        kinds: e.kinds,
      })),
    );
  }

  /** The entry's answer for this kind; undefined for an unknown id. */
  entry(id: string, kind?: OrganisationKind): Answer | undefined {
    const e = this.entries.get(id);
    return e && { id: e.id, title: e.title, text: renderText(e.answer, kind), source: e.source };
  }

  /** All entry ids (for tests and the back office's "was this helpful?" counts). */
  ids(): string[] {
    return [...this.entries.keys()];
  }

  answer(text: string, options: AnswerOptions = {}): AnswerResult {
    const { kind } = options;
    const question = withoutSlotValues(text);
    const terms = new Set(this.analyser.terms(question));
    const results = this.index.search(question, {
      filter: kind ? (r) => (r.kinds as OrganisationKind[]).includes(kind) : undefined,
    });
    const top = ranked(results);
    const confidence = confidenceOf(top, terms.size);
    const alternatives = top.slice(0, 3).map((r) => this.entry(r.id, kind)!);
    const confident = confidence >= CONFIDENT;
    const known = new Set(results.flatMap((r) => r.queryTerms));
    const relevant = isRelevant(terms, results[0]?.queryTerms ?? [], confident, this.asking, known);
    return { best: alternatives[0], confidence, confident, alternatives, relevant };
  }
}
