/**
 * Questions in the user's own words (SPEC §4), at the menu and in the middle of any flow: free
 * text answered from the knowledge base (dialogs/knowledge) or sent to the flow that does what it
 * asks; a question asked at a flow's question answered and that question asked again, the flow's
 * state untouched; "why do you need that?", "what is that?" and "I don't know" about the field
 * being asked for, from the field's own explanations (the flow dialog's `field(snapshot)`); "did
 * you mean" when the match is weak; a hand-over to a person after two misses in a row or when
 * asked; "was this helpful?" after an answer.
 *
 * Pure: it reads the text, where the conversation is and what the questions remember
 * (`QuestionMemory`), and says what that means (a `Parsed`) and what to reply. The bot makes the
 * hand-over's request (bot/handOver.ts) and counts the answers and their feedback.
 */
import type { AnyEventObject } from 'xstate';
import type { Parsed, Position } from '../conversation';
import type { AdminKind } from '../contacts';
import { knowledge, type Answer, type Knowledge, type Slots } from '../knowledge';
import { normalise, parseChoice } from '../parsing';
import { route, ROUTES, type Route } from '../routing';
import type { FlowDialog, FlowParse, Reply } from '../types';
import { ASK_FOR_QUESTION, handOverOf, type HandOver } from './handOver';
import { EMPTY_MEMORY, withTurns, type QuestionMemory } from './memory';
import { feedbackOf, fieldAsk, isClearQuestion, isNoneOfThese, NONE_OF_THESE, TALK_TO_A_PERSON } from './read';
import { redact } from './redact';
import { longestText, MAX_MESSAGE_CHARACTERS } from '../messageLength';

export { QuestionMemorySchema, type QuestionMemory } from './memory';
export { handedOverText, handOverFailedText, type HandOver } from './handOver';
export { redact } from './redact';

/** What a message means for the questions (part of the conversation's `Parsed`). */
export type QuestionParsed =
  /** An answer from the guides; `others` are the runners-up, offered if it did not help. */
  | { kind: 'answer'; answer: Answer; others: string[]; question: string }
  /** A weak match: the top 3 offered as buttons. */
  | { kind: 'didYouMean'; options: Answer[]; question: string }
  /** Nothing found for a question (the first miss in a row). */
  | { kind: 'miss'; question: string }
  /** An answer to "was this helpful?". */
  | { kind: 'feedback'; entry: string; helpful: boolean; others: Answer[] }
  /** "Talk to a person" with no question yet: asked what to pass on. */
  | { kind: 'askQuestion' }
  /** To a person: the bot makes a `question` request for NAS and says its reference. */
  | { kind: 'handOver'; handOver: HandOver };

export const QUESTION_KINDS: ReadonlySet<string> = new Set(['answer', 'didYouMean', 'miss', 'feedback', 'askQuestion', 'handOver']);

type Flow = NonNullable<Position['flow']>;

/** What the questions know about the turn: what they remember, the organisation kind, where the conversation is. */
interface Context {
  memory: QuestionMemory;
  kind?: AdminKind;
  flow?: Flow;
  /** The flow in progress has finished: asking for it again starts a new one. */
  finished?: string;
}

/** A routing line's id for each intent the knowledge base recognises that a line serves. */
const INTENT_ROUTES: Record<string, string> = {
  password: 'passwordHelp',
  leaver: 'ownerRequests',
  joiner: 'ownerRequests',
  newStarter: 'ownerRequests',
};
const REGISTRATION_FLOW = 'registration';

/** A text the flow did not understand is still answered from the guides when it is this sure and this long. */
const SURE_ENOUGH_IN_A_FLOW = 0.3;
const WORDS_ENOUGH_IN_A_FLOW = 3;

const CARRY_ON = /^(?:carry on|continue|go on|back to the question|back to it|resume|ok carry on|let's carry on|lets carry on)$/;

const wordsIn = (text: string) => normalise(text).split(' ').filter((w) => /\p{L}{2,}/u.test(w)).length;

const isEvent = (r: FlowParse): r is AnyEventObject => !!r && !('invalid' in r) && !('say' in r);

export class QuestionsDialog {
  constructor(
    private readonly flows: readonly FlowDialog[],
    private readonly kb: Knowledge = knowledge(),
  ) {}

  /** The organisation kind: the flow's, when it knows it, else what the questions remember. */
  kindOf(flow: Flow | undefined, memory: QuestionMemory | undefined): AdminKind | undefined {
    return flow?.dialog.organisationKind?.(flow.snapshot) ?? memory?.kind;
  }

  private context(memory: QuestionMemory | undefined, flow?: Flow): Context {
    const m = memory ?? EMPTY_MEMORY;
    const finished = flow && flow.dialog.isFinished?.(flow.snapshot) ? flow.dialog.id : undefined;
    return { memory: m, kind: this.kindOf(flow, m), ...(flow ? { flow } : {}), ...(finished ? { finished } : {}) };
  }

  /**
   * What follows the questions' last reply: a "did you mean" button (its title, or its number),
   * "none of these", an answer to "was this helpful?", or the question asked for after "talk to a
   * person". Undefined: the message is not one of these, and is read as usual.
   */
  followUp(text: string, memory: QuestionMemory | undefined, flow?: Flow): Parsed | undefined {
    if (!memory) return undefined;
    const ctx = this.context(memory, flow);
    const inFlow = !!flow && !flow.menuOpen;
    if (memory.offered?.length && inFlow && CARRY_ON.test(normalise(text))) {
      // Back to the flow's question after "did you mean": unless the flow takes the words itself.
      return isEvent(flow!.dialog.parse(text, flow!.snapshot)) ? undefined : { kind: 'say', text: 'Carrying on where we were.' };
    }
    if (memory.offered?.length) {
      const options = memory.offered.map((id) => this.kb.entry(id, ctx.kind)).filter((a): a is Answer => !!a);
      const picked = parseChoice(text, [...options.map((o) => ({ value: o.id, label: o.title })), { value: '', label: NONE_OF_THESE }]);
      if (picked === '' || isNoneOfThese(text)) return this.missed(memory.question ?? text, ctx);
      const chosen = options.find((o) => o.id === picked);
      if (chosen) return { kind: 'answer', answer: chosen, others: options.filter((o) => o.id !== chosen.id).map((o) => o.id), question: memory.question ?? text };
    }
    if (memory.feedback) {
      const feedback = inFlow ? feedbackOf(text, false) : (feedbackOf(text, true) ?? (/^\s*[12]\s*\.?\s*$/.test(text) ? (text.trim().startsWith('1') ? 'helpful' : 'notHelpful') : undefined));
      if (feedback) {
        const others = memory.feedback.others.map((id) => this.kb.entry(id, ctx.kind)).filter((a): a is Answer => !!a);
        return { kind: 'feedback', entry: memory.feedback.entry, helpful: feedback === 'helpful', others };
      }
    }
    if (memory.awaitingQuestion && normalise(text)) {
      return { kind: 'handOver', handOver: this.handOver(redact(text), 'asked', ctx) };
    }
    return undefined;
  }

  /** Free text at the menu: a flow it asks for, a routed answer, or an answer from the guides. */
  atMenu(text: string, memory: QuestionMemory | undefined, flow?: Flow): Parsed {
    const ctx = this.context(memory, flow);
    const routed = this.routed(text, ctx, true);
    if (routed) return routed;
    const intent = this.kb.route(text);
    if (intent.intent !== 'question' && intent.relevant) {
      const found = this.kb.answer(text, { kind: ctx.kind });
      // "how does a new member of staff get an account?" is a question, answered; "new starter needs an account" asks for the flow.
      const question = isClearQuestion(text) && found.best && found.confident && found.relevant && found.confidence > intent.confidence;
      if (!question) {
        const forIntent = this.forIntent(intent.intent, intent.slots, text, ctx, true);
        if (forIntent) return forIntent;
      }
    }
    return this.fromGuides(text, ctx);
  }

  /**
   * Text at a flow's question. Answers to the field stay answers: the flow reads the text first,
   * and only a message shaped like a question interrupts it (a confident answer from the guides to a
   * question typed at a free-text field: "what is a town abbreviation" is not a town). Questions about
   * the field itself are answered from the field's own explanations.
   */
  inFlow(text: string, flow: Flow, memory: QuestionMemory | undefined): Parsed {
    const ctx = this.context(memory, flow);
    const { dialog, snapshot } = flow;
    const result = dialog.parse(text, snapshot);
    const ask = fieldAsk(text);
    const freeText = !dialog.prompt(snapshot).choices?.length;
    const field = dialog.field?.(snapshot);
    // The flow's own reading of "why…" / "where…" is its field's text: a question about something else ("what is a DSPT?") is the guides'.
    const generic = !!result && 'say' in result && !!field && (result.say === field.why || result.say === field.whereToFind);
    if (ask && !(result && 'say' in result && !generic) && !(ask === 'whereToFind' && isEvent(result) && !freeText)) {
      return { kind: 'say', text: this.explainField(ask, flow) };
    }
    if (generic && isClearQuestion(text)) {
      const found = this.kb.answer(text, { kind: ctx.kind });
      if (found.best && found.confident && found.relevant) return this.answered(found.best, found.alternatives, text);
    }
    if (isEvent(result)) {
      // A question the flow would take as an answer ("what is a town abbreviation" is letters, so a town): the guides' answer, when they are sure of it.
      if (result.type === 'ANSWER' && isClearQuestion(text)) {
        const found = this.kb.answer(text, { kind: ctx.kind });
        if (found.best && found.confident && found.relevant) return this.answered(found.best, found.alternatives, text);
      }
      return { kind: 'event', event: { type: 'TO_FLOW', event: result } };
    }
    if (result && 'say' in result) {
      const { alone, choices } = result as { alone?: boolean; choices?: string[] };
      return { kind: 'say', text: String(result.say), ...(alone ? { alone } : {}), ...(choices ? { choices } : {}) };
    }
    if (result && 'invalid' in result) {
      if (isClearQuestion(text)) return this.routed(text, ctx, false) ?? this.fromGuides(text, ctx);
      return { kind: 'invalid', message: String(result.invalid), ...(result.form ? { form: result.form as never } : {}) };
    }
    const routed = this.routed(text, ctx, false);
    if (routed) return routed;
    if (isClearQuestion(text)) return this.fromGuides(text, ctx);
    // Not shaped like a question and not understood: answered only when the guides are sure of it.
    const found = this.kb.answer(text, { kind: ctx.kind });
    if (found.best && found.relevant && found.confidence >= SURE_ENOUGH_IN_A_FLOW && wordsIn(text) >= WORDS_ENOUGH_IN_A_FLOW) {
      return this.answered(found.best, found.alternatives, text);
    }
    return { kind: 'notUnderstood' };
  }

  /** "why do you need that?" / "what is that?" / "I don't know it", about the field asked for (or the step, without one). */
  private explainField(ask: 'why' | 'what' | 'whereToFind', flow: Flow): string {
    const field = flow.dialog.field?.(flow.snapshot);
    if (!field) return flow.dialog.help(flow.snapshot);
    if (ask === 'why') return field.why;
    if (ask === 'whereToFind') return field.whereToFind;
    return `${field.why} ${field.whereToFind}`;
  }

  /** The routing table: a flow to start (at the menu), a request to look up, a person, or a short answer. */
  private routed(text: string, ctx: Context, canStart: boolean): Parsed | undefined {
    const found = route(text);
    if (!found) return undefined;
    // "What is NAS's phone number?" is a question (the line's answer); "talk to a person" asks for one.
    if (found.id === 'person') return /\bphone number\b/.test(normalise(text)) ? { kind: 'say', text: found.answer() } : this.toPerson(ctx);
    if (found.id === 'requestStatus') return { kind: 'request', text };
    if (found.id !== 'thanks' && found.id !== 'passwordHelp' && isClearQuestion(text)) {
      // A question about how things work ("who counts as the shared mailbox owner?", "I'm leaving:
      // what happens to my emails?") is answered from the guides, when they are sure and no flow
      // serves what the answer is about; otherwise the line's flow or answer. (Password help's own
      // explanations are the guides' answers, step by step, so it keeps its questions.)
      const answer = this.kb.answer(text, { kind: ctx.kind });
      if (answer.best && answer.confident && answer.relevant && !answer.best.intent) return this.answered(answer.best, answer.alternatives, text);
    }
    return this.fromRoute(found, text, canStart, ctx.finished);
  }

  private fromRoute(found: Route, text: string, canStart: boolean, finished?: string): Parsed {
    if (found.flow && canStart && found.flow.id === finished) return { kind: 'event', event: { type: 'RESTART', start: found.flow.start(text) } };
    if (found.flow && canStart && this.flows.some((f) => f.id === found.flow!.id)) {
      return { kind: 'event', event: { type: 'START_FLOW', flow: found.flow.id, start: found.flow.start(text) } };
    }
    return { kind: 'say', text: found.answer() };
  }

  /** A flow intent the knowledge base recognised: its flow (started with what the text says), or its line's answer. */
  private forIntent(intent: string, slots: Slots, text: string, ctx: Context, canStart: boolean): Parsed | undefined {
    if (intent === 'human') return this.toPerson(ctx);
    if (intent === 'requestStatus') return { kind: 'request', text };
    if (intent === 'register') {
      if (!canStart || !this.flows.some((f) => f.id === REGISTRATION_FLOW)) return undefined;
      // What the registration reads from such a message itself (the organisation's name too), over the slots.
      const own = this.flows.find((f) => f.id === REGISTRATION_FLOW)?.startFrom?.(text) ?? {};
      const start = { ...Object.fromEntries(Object.entries(slots).filter(([k, v]) => ['postcode', 'odsCode', 'cqcLocationId', 'kind'].includes(k) && v !== undefined)), ...own };
      const given = Object.keys(start).length ? { start } : {};
      if (ctx.finished === REGISTRATION_FLOW) return { kind: 'event', event: { type: 'RESTART', ...given } };
      return { kind: 'event', event: { type: 'START_FLOW', flow: REGISTRATION_FLOW, ...given } };
    }
    const line = ROUTES.find((r) => r.id === INTENT_ROUTES[intent]);
    return line ? this.fromRoute(line, text, canStart, ctx.finished) : undefined;
  }

  /** "Talk to a person": the question asked last goes to NAS; without one, what to ask is asked first. */
  private toPerson(ctx: Context): Parsed {
    if (!ctx.memory.question) return { kind: 'askQuestion' };
    return { kind: 'handOver', handOver: this.handOver(ctx.memory.question, 'asked', ctx) };
  }

  /** A question for the guides: answered, "did you mean", or missed (twice in a row: to a person). */
  private fromGuides(text: string, ctx: Context): Parsed {
    const question = redact(text);
    const found = this.kb.answer(text, { kind: ctx.kind });
    if (!found.best || !found.relevant) {
      // Only a question counts as a miss (two in a row go to a person); "qwerty" or "3" is just not understood.
      return isClearQuestion(text) || wordsIn(text) >= 3 ? this.missed(question, ctx) : { kind: 'notUnderstood' };
    }
    if (found.confident) return this.answered(found.best, found.alternatives, question);
    return { kind: 'didYouMean', options: found.alternatives, question };
  }

  private answered(answer: Answer, alternatives: readonly Answer[], question: string): Parsed {
    return { kind: 'answer', answer, others: alternatives.filter((a) => a.id !== answer.id).map((a) => a.id), question: redact(question) };
  }

  private missed(question: string, ctx: Context): Parsed {
    if (ctx.memory.misses >= 1) return { kind: 'handOver', handOver: this.handOver(question, 'notUnderstood', ctx) };
    return { kind: 'miss', question };
  }

  private handOver(question: string, reason: 'asked' | 'notUnderstood' | 'notHelpful', ctx: Context): HandOver {
    return handOverOf({ question, reason, memory: ctx.memory, ...(ctx.kind ? { kind: ctx.kind } : {}), ...(ctx.flow ? { where: where(ctx.flow) } : {}) });
  }

  /**
   * The replies for a question's outcome, or undefined for anything else. At the menu the last
   * reply's buttons are the questions' own (yes / no, the choices); in a flow the answer is said
   * and the flow's question follows (`then`), except after "did you mean", whose buttons are the
   * choices (saying "carry on" shows the question again).
   */
  replies(parsed: Parsed, flow: Flow | undefined, then: () => Reply[]): Reply[] | undefined {
    const inFlow = !!flow && !flow.menuOpen;
    switch (parsed.kind) {
      case 'answer':
        return inFlow
          ? [{ text: `${parsed.answer.text}\n\n(Was this helpful? Say "helpful" or "not helpful".)` }, ...then()]
          : [{ text: parsed.answer.text }, { text: 'Was this helpful?', choices: ['Yes', 'No'] }];
      case 'didYouMean': {
        const choices = [...parsed.options.map((o) => o.title), NONE_OF_THESE];
        const field = inFlow ? flow!.dialog.field?.(flow!.snapshot) : undefined;
        const carryOn = inFlow ? ` Or carry on with ${field ? field.name : 'the question I asked'}: say "carry on".` : '';
        return [{ text: `I am not sure I have understood. Did you mean one of these?${carryOn}`, choices }];
      }
      case 'miss':
        return [
          {
            text: inFlow
              ? 'Sorry, I could not find an answer to that in the guides. You can ask it in other words, or say "talk to a person" and I will pass your question to NAS.'
              : 'Sorry, I did not understand that. Please choose an option from the menu, or ask me about NHSmail in other words; or say "talk to a person" and I will pass your question to NAS.',
          },
          ...then(),
        ];
      case 'feedback':
        if (parsed.helpful) return [{ text: 'Thank you: that helps me get better.' }, ...then()];
        if (!inFlow && parsed.others.length) {
          return [{ text: 'Sorry that did not help. Is it one of these? Or I can pass your question to a person.', choices: [...parsed.others.map((o) => o.title), TALK_TO_A_PERSON] }];
        }
        return [{ text: 'Sorry that did not help. You can ask it in other words, or say "talk to a person" and I will pass your question to NAS.' }, ...then()];
      case 'askQuestion':
        return [{ text: ASK_FOR_QUESTION }];
      default:
        return undefined;
    }
  }

  /**
   * What the questions remember after a turn: misses in a row, what is waiting for an answer
   * ("was this helpful?", a "did you mean" choice, the question for a person), the organisation
   * kind, and — for a later hand-over — the turns that were not answers to a flow's questions
   * (questions, requests, what was not understood), without personal data.
   */
  remember(
    memory: QuestionMemory | undefined,
    turn: { heard: string | undefined; parsed: Parsed; kind?: AdminKind; after: Position },
  ): QuestionMemory {
    const m = memory ?? EMPTY_MEMORY;
    const { parsed } = turn;
    const kind = this.kindOf(turn.after.flow, m) ?? turn.kind;
    const user = turn.heard;
    // The question is kept for the next message only ("talk to a person" right after it); misses in a row likewise.
    const next: QuestionMemory = { misses: 0, turns: m.turns, ...(kind ? { kind } : {}) };
    let said: string | undefined;
    switch (parsed.kind) {
      case 'answer':
        Object.assign(next, { feedback: { entry: parsed.answer.id, others: parsed.others.slice(0, 3) }, question: parsed.question });
        said = `Answered from the guides: ${parsed.answer.title}`;
        break;
      case 'didYouMean':
        Object.assign(next, { misses: m.misses, offered: parsed.options.map((o) => o.id), question: parsed.question });
        said = `Asked which of these was meant: ${parsed.options.map((o) => o.title).join('; ')}`;
        break;
      case 'miss':
        Object.assign(next, { misses: m.misses + 1, question: parsed.question });
        said = 'Could not find an answer in the guides';
        break;
      case 'feedback':
        if (m.question) next.question = m.question;
        if (!parsed.helpful) Object.assign(next, { misses: m.misses + 1, ...(parsed.others.length ? { offered: parsed.others.map((o) => o.id) } : {}) });
        said = parsed.helpful ? 'Was told the answer helped' : 'Was told the answer did not help';
        break;
      case 'askQuestion':
        next.awaitingQuestion = true;
        said = 'Asked what to pass on to a person';
        break;
      case 'handOver':
        said = 'Passed the question to NAS';
        break;
      default:
        said = assistantTurn(turn);
    }
    next.turns = withTurns(m, user, said);
    return next;
  }

  /** Nothing worth keeping: not stored at all. */
  static isEmpty(m: QuestionMemory): boolean {
    return m.misses === 0 && m.turns.length === 0 && !m.kind && !m.feedback && !m.offered && !m.awaitingQuestion && !m.question;
  }
}

/** Where the conversation is, for NAS: the flow and the step's heading, and the field asked for. */
function where(flow: Flow): string {
  const heading = flow.dialog.prompt(flow.snapshot).text.split('\n')[0] ?? '';
  const field = flow.dialog.field?.(flow.snapshot);
  const step = /^Step \d+ of \d+ · /.test(heading) ? ` (${heading})` : '';
  return redact(`${flow.dialog.menuLabel}${step}${field ? `, asking for ${field.name}` : ''}`, 200);
}

/**
 * The user's side of a turn, for a hand-over: what they typed that was not an answer to a flow's
 * question (a question, a request, something not understood), without personal data. Answers to a
 * flow's fields are never kept (where the conversation is goes with the hand-over instead), and a
 * message that looked like a password only as a note.
 */
export function heard(turn: { text: string; value?: unknown; parsed: Parsed; dropped?: boolean }): string | undefined {
  if (turn.dropped) return '[a message that looked like a password: not kept]';
  const { parsed } = turn;
  if (parsed.kind === 'invalid' || parsed.kind === 'greet' || parsed.kind === 'help') return undefined;
  if (parsed.kind === 'event' && parsed.event.type !== 'START_FLOW') return undefined;
  if (!turn.text) return undefined;
  // A message too long to read was refused unread, and is not read here either.
  if (longestText(turn.text, turn.value) > MAX_MESSAGE_CHARACTERS) return '[a message too long to read: not kept]';
  return redact(turn.text, 300);
}

/** The assistant's side of such a turn (see `heard`), in a few words. */
function assistantTurn(turn: { parsed: Parsed; after: Position }): string | undefined {
  const { parsed } = turn;
  if (parsed.kind === 'say') return redact(parsed.text, 200);
  if (parsed.kind === 'request') return 'Looked up the request';
  if (parsed.kind === 'notUnderstood') return 'Did not understand';
  if (parsed.kind === 'event' && parsed.event.type === 'START_FLOW') return `Started: ${turn.after.flow?.dialog.menuLabel ?? parsed.event.flow}`;
  return undefined;
}
