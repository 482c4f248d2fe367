/**
 * The knowledge base as one object, built once at start-up from the bundled data: answers to
 * questions, the intent a message asks for, and the "why do you need that?" / "where do I find
 * it?" texts of the registration's fields. Every method is pure: no I/O, no clock, no randomness.
 */
import { KnowledgeAnswers, type AnswerOptions, type AnswerResult, type Answer } from './answers';
import { BUNDLED, loadKnowledgeData, type KnowledgeData, type RawKnowledge } from './data';
import { IntentRouter, type Routing } from './router';
import type { OrganisationKind } from './schema';
import { renderText } from './text';

export interface FieldExplanation {
  field: string;
  label: string;
  /** "Why do you need that?" */
  why: string;
  /** "I don't know" / "where do I find it?" */
  whereToFind: string;
}

export class Knowledge {
  readonly answers: KnowledgeAnswers;
  readonly router: IntentRouter;

  constructor(readonly data: KnowledgeData) {
    this.answers = new KnowledgeAnswers(data);
    this.router = new IntentRouter(data);
  }

  /** The best answer to a question, how sure it is, and the top 3 for "did you mean". */
  answer(text: string, options: AnswerOptions = {}): AnswerResult {
    return this.answers.answer(text, options);
  }

  /** One entry's answer by id (a "did you mean" button names the entry). */
  entry(id: string, kind?: OrganisationKind): Answer | undefined {
    return this.answers.entry(id, kind);
  }

  /** The intent of a message and the slots it already carries. */
  route(text: string): Routing {
    return this.router.route(text);
  }

  /** A registration field's explanations, worded for the kind; undefined for a field with none. */
  field(field: string, kind?: OrganisationKind): FieldExplanation | undefined {
    const help = this.data.fields[field] ?? Object.entries(this.data.fields).find(([, f]) => f.states.includes(field))?.[1];
    if (!help) return undefined;
    const name = this.data.fields[field] ? field : Object.keys(this.data.fields).find((k) => this.data.fields[k] === help)!;
    return { field: name, label: help.label, why: renderText(help.why, kind), whereToFind: renderText(help.whereToFind, kind) };
  }
}

/** Checks the data (throwing KnowledgeDataError with every problem) and builds the indexes. */
export function createKnowledge(raw: RawKnowledge = BUNDLED): Knowledge {
  return new Knowledge(loadKnowledgeData(raw));
}

let bundled: Knowledge | undefined;
/** The bundled knowledge base, built on first use and then shared. */
export function knowledge(): Knowledge {
  bundled ??= createKnowledge();
  return bundled;
}

export type { Answer, AnswerOptions, AnswerResult } from './answers';
export { CONFIDENT } from './answers';
export type { Intent, Routing } from './router';
export { FLOW_INTENTS, type FlowIntent } from './schema';
export type { Slots } from './slots';
export type { OrganisationKind } from './schema';
export { KnowledgeDataError } from './schema';
