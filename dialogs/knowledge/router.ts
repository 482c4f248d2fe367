/**
 * Which flow a free-text message is asking for. One MiniSearch index holds the phrasings of every
 * flow intent (intents.json) beside the phrasings of every knowledge-base entry (the intent
 * "question", or the flow an entry names: "I forgot my password" is a problem the password flow
 * solves), so "Jane has left" and "what happens to my account when I leave" compete on the same
 * terms and the nearest document decides. A request reference in the message means its status.
 */
import MiniSearch from 'minisearch';
import { createAnalyser, type Analyser } from './analysis';
import { askingTerms, confidenceOf, isRelevant, searchOptions, type Ranked } from './answers';
import type { KnowledgeData } from './data';
import type { FlowIntent } from './schema';
import { extractSlots, withoutSlotValues, type Slots } from './slots';

export type Intent = FlowIntent | 'question';

export interface Routing {
  intent: Intent;
  /** The flow that serves the intent (intents.json), for flow intents. */
  flow?: string;
  /** 0 to 1, as for answers: coverage of the message by the winning phrasing, scaled by its lead. */
  confidence: number;
  /** The winning intent shares a content word with the message ("no" alone asks for nothing). */
  relevant: boolean;
  slots: Slots;
}

export class IntentRouter {
  private readonly index: MiniSearch;
  private readonly analyser: Analyser;
  private readonly flowOf: ReadonlyMap<string, string>;
  private readonly asking: ReadonlySet<string>;

  constructor(data: KnowledgeData) {
    this.analyser = createAnalyser(data.language);
    this.flowOf = new Map(data.intents.map((i) => [i.id, i.flow]));
    this.asking = askingTerms(this.analyser);
    const options = searchOptions(this.analyser);
    this.index = new MiniSearch({
      fields: ['text'],
      storeFields: ['intent'],
      tokenize: options.tokenize,
      processTerm: options.processTerm,
      searchOptions: options,
    });
    let n = 0;
    const doc = (intent: string, text: string) => ({ id: n++, intent, text });
    // One document per intent and per entry, all its phrasings together (as for answers: measured
    // better than one document per phrasing, docs/quality.md).
    this.index.addAll([
      ...data.intents.map((i) => doc(i.id, i.phrasings.join(' \n '))),
      ...data.entries.map((e) => doc(e.intent ?? 'question', e.questions.join(' \n '))),
    ]);
  }

  route(text: string): Routing {
    const slots = extractSlots(text);
    if (slots.reference) return { intent: 'requestStatus', flow: this.flowOf.get('requestStatus'), confidence: 1, relevant: true, slots };
    const message = withoutSlotValues(text);
    const terms = new Set(this.analyser.terms(message));
    // The best document of each intent, in rank order.
    const seen = new Set<string>();
    const best: (Ranked & { queryTerms: string[] })[] = [];
    for (const r of this.index.search(message)) {
      const intent = r.intent as string;
      if (seen.has(intent)) continue;
      seen.add(intent);
      best.push({ id: intent, score: r.score, matched: new Set(r.queryTerms).size, queryTerms: r.queryTerms });
    }
    const top = best[0];
    const confidence = confidenceOf(best, terms.size);
    // One shared content word is enough here: names and places ("Oakhaven Court", "Priya Patel") are words the phrasings never have.
    const relevant = !!top && isRelevant(terms, top.queryTerms, true, this.asking, terms);
    if (!top || top.id === 'question') return { intent: 'question', confidence, relevant, slots };
    return { intent: top.id as FlowIntent, flow: this.flowOf.get(top.id), confidence, relevant, slots };
  }
}
