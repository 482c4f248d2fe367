import type { AnyMachineSnapshot } from 'xstate';
import { ConversationContext, ConversationEvent, flowInProgress, flowSnapshot } from '../machines/conversation';
import { NATIONAL_HELPDESK } from './contacts';
import { normalise, parseChoice, parseChoiceLoosely, parseGlobalCommand, parseYesNoAnswer } from './parsing';
import { heard, QUESTION_KINDS, QuestionsDialog, type QuestionMemory, type QuestionParsed } from './questions';
import { requestAsked, route } from './routing';
import type { FormState } from './cards';
import type { FlowDialog, Reply } from './types';
import { longestText, MAX_MESSAGE_CHARACTERS } from './messageLength';

/** What the user's message means, before the machine decides anything. */
export type Parsed =
  | { kind: 'event'; event: ConversationEvent }
  | { kind: 'help' }
  | { kind: 'notUnderstood' }
  /** An answer of the right kind that is wrong: the message says what is wrong. */
  | { kind: 'invalid'; message: string; form?: FormState }
  /** Something to tell before asking the same again (where to find a code, who to contact); `alone`: without asking again. */
  | { kind: 'say'; text: string; alone?: boolean; choices?: string[] }
  /** First contact, or "hello": greet and show the menu (or where they are). */
  | { kind: 'greet' }
  /** About a NAS request by its reference (its status, or an answer to NAS's question): the bot looks it up and says. */
  | { kind: 'request'; reference?: string; text: string; answer?: string }
  /** Questions in the user's own words: answers from the guides, "did you mean", a hand-over (dialogs/questions). */
  | QuestionParsed;

/** Where the conversation stands, read from the root machine's snapshot. */
export interface Position {
  flow?: { dialog: FlowDialog; menuOpen: boolean; confirmLeave: boolean; snapshot: AnyMachineSnapshot };
  /** What "yes" does while the user is asked whether to leave the flow. */
  leaving?: 'cancel' | 'restart';
}

const GREETINGS = new Set([
  'hi', 'hello', 'hey', 'hiya', 'good morning', 'good afternoon', 'good evening', 'hi there', 'hello there', 'start', 'morning', 'afternoon',
  'hello again', 'hi again', 'hey there', "i'm back", 'im back', 'i am back', 'back again',
]);
const RESUME_LABEL = (dialog: FlowDialog) => `Carry on: ${dialog.menuLabel}`;

export class ConversationDialog {
  readonly questions: QuestionsDialog;

  constructor(private readonly flows: readonly FlowDialog[]) {
    this.questions = new QuestionsDialog(flows);
  }

  position(snapshot: AnyMachineSnapshot): Position {
    const inProgress = flowInProgress(snapshot, this.flows.map((f) => f.id));
    const dialog = inProgress && this.flows.find((f) => f.id === inProgress.id);
    const child = flowSnapshot(snapshot);
    if (!inProgress || !dialog || !child) return {};
    const leaving = (snapshot.context as ConversationContext | undefined)?.leaving;
    return { flow: { dialog, menuOpen: inProgress.menuOpen, confirmLeave: inProgress.confirmLeave, snapshot: child }, ...(leaving ? { leaving } : {}) };
  }

  /**
   * The user's message as what it means here: typed text, or a card's submitted `value` (whose
   * `action` says which button was pressed). Empty text with no value is not understood. `memory`
   * is what the questions remember (a "did you mean" just offered, an answer waiting for "was this
   * helpful?").
   */
  parse(text: string, snapshot: AnyMachineSnapshot, value?: unknown, memory?: QuestionMemory): Parsed {
    const length = longestText(text, value);
    if (length > MAX_MESSAGE_CHARACTERS) {
      return {
        kind: 'say',
        text: `That message is too long for me to read (${length.toLocaleString('en-GB')} characters; I read up to ${MAX_MESSAGE_CHARACTERS.toLocaleString('en-GB')}). Please send just the answer.`,
      };
    }
    const { flow, leaving } = this.position(snapshot);
    const action = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>).action : undefined;
    // The answer box of a status card NAS asked a question with (bot/backOffice/statusMessages.ts).
    if (action === 'nasAnswer') {
      const card = value as Record<string, unknown>;
      const reference = requestAsked(String(card.reference ?? ''));
      return reference ? { kind: 'request', reference: reference.reference, text: String(card.answer ?? ''), answer: String(card.answer ?? '') } : { kind: 'notUnderstood' };
    }
    if (typeof action === 'string' && action !== 'back') {
      if (!flow || flow.menuOpen || flow.confirmLeave || !flow.dialog.parseCard) return { kind: 'notUnderstood' };
      const result = flow.dialog.parseCard(value as Record<string, unknown>, flow.snapshot);
      if (!result) return { kind: 'notUnderstood' };
      if ('invalid' in result) return { kind: 'invalid', message: String(result.invalid), form: result.form as FormState | undefined };
      if ('say' in result) {
        const { alone, choices } = result as { alone?: boolean; choices?: string[] };
        return { kind: 'say', text: String(result.say), ...(alone ? { alone } : {}), ...(choices ? { choices } : {}) };
      }
      return { kind: 'event', event: { type: 'TO_FLOW', event: result } };
    }
    if (flow?.confirmLeave) {
      const yes = parseYesNoAnswer(text);
      if (yes === true) return { kind: 'event', event: { type: leaving === 'restart' ? 'RESTART' : 'CANCEL' } };
      if (yes === false || parseGlobalCommand(text) === 'back') return { kind: 'event', event: { type: 'RESUME' } };
      if (parseGlobalCommand(text) === 'menu') return { kind: 'event', event: { type: 'MENU' } };
      return { kind: 'notUnderstood' };
    }
    const command = action === 'back' ? 'back' : parseGlobalCommand(text);
    if (command === 'help') return { kind: 'help' };
    if (command === 'menu') return flow && !flow.menuOpen ? { kind: 'event', event: { type: 'MENU' } } : { kind: 'greet' };
    if (command && !flow) return { kind: 'greet' };
    if (command === 'cancel' || command === 'restart') {
      const lose = flow!.dialog.wouldLose?.(flow!.snapshot);
      if (lose) return { kind: 'event', event: { type: 'ASK_LEAVE', leave: command } };
      return { kind: 'event', event: { type: command === 'cancel' ? 'CANCEL' : 'RESTART' } };
    }
    if (command === 'back') {
      return flow!.menuOpen
        ? { kind: 'event', event: { type: 'RESUME' } }
        : { kind: 'event', event: { type: 'TO_FLOW', event: { type: 'BACK' } } };
    }

    const asked = requestAsked(text);
    if (asked && !flow?.confirmLeave) return { kind: 'request', ...asked };

    const finished = flow && flow.dialog.isFinished?.(flow.snapshot);
    if (flow && !flow.menuOpen) {
      // A finished flow asked for again ("register another organisation") starts a new one.
      if (finished && this.asksAgain(text, flow.dialog)) return { kind: 'event', event: { type: 'RESTART' } };
      if (GREETINGS.has(normalise(text))) return { kind: 'greet' };
      return this.questions.followUp(text, memory, flow) ?? this.questions.inFlow(text, flow, memory);
    }
    const followUp = this.questions.followUp(text, memory, flow);
    if (followUp) return followUp;
    const choice = parseChoice(text, this.menuOptions(flow));
    if (choice && !this.namesOption(text, flow)) {
      // A sentence with a menu entry's word in it ("any news on my registration", "can we still apply
      // after failing the toolkit?") is read as a whole first: a request, a flow started with what it
      // says, an answer. Only when nothing reads it does the word pick the entry.
      const asked = this.questions.atMenu(text, memory, flow);
      if (!['miss', 'handOver', 'didYouMean', 'notUnderstood', 'askQuestion'].includes(asked.kind)) return asked;
    }
    if (choice === 'resume') return { kind: 'event', event: { type: 'RESUME' } };
    if (choice === 'again') return { kind: 'event', event: { type: 'RESTART' } };
    if (choice) return this.startFlow(choice, text);
    if (GREETINGS.has(normalise(text))) return { kind: 'greet' };
    // A slip of the keyboard at the menu ("registr", "pasword help") still picks the one it is close to.
    const loose = route(text) ? undefined : parseChoiceLoosely(text, this.menuOptions(flow));
    if (loose === 'resume') return { kind: 'event', event: { type: 'RESUME' } };
    if (loose === 'again') return { kind: 'event', event: { type: 'RESTART' } };
    if (loose) return { kind: 'event', event: { type: 'START_FLOW', flow: loose } };
    return this.questions.atMenu(text, memory, flow);
  }

  /** What the user said this turn, as a hand-over may pass it on; read before the turn's event is sent. */
  heard(turn: { text: string; value?: unknown; parsed: Parsed; before: Position | null; dropped?: boolean }): { text: string | undefined; kind?: 'care' | 'dental' } {
    // Read now, while the flow is at the question the message answered.
    const kind = this.questions.kindOf(turn.before?.flow, undefined);
    return { text: heard(turn), ...(kind ? { kind } : {}) };
  }

  /** What the questions remember after this turn (see QuestionsDialog.remember). */
  remember(memory: QuestionMemory | undefined, turn: { heard: { text: string | undefined; kind?: 'care' | 'dental' }; parsed: Parsed; after: AnyMachineSnapshot }): QuestionMemory | undefined {
    const after = this.position(turn.after);
    const next = this.questions.remember(memory, {
      heard: turn.heard.text,
      parsed: turn.parsed,
      ...(turn.heard.kind ? { kind: turn.heard.kind } : {}),
      after,
    });
    return QuestionsDialog.isEmpty(next) ? undefined : next;
  }

  /** A flow chosen at the menu, with what the message already says ("register Oakhaven Court, CM1 8FS"). */
  private startFlow(id: string, text: string): Parsed {
    const start = this.flows.find((f) => f.id === id)?.startFrom?.(text);
    return { kind: 'event', event: { type: 'START_FLOW', flow: id, ...(start ? { start } : {}) } };
  }

  /** The text is a menu entry itself: its number, its label or one of its names, not a sentence holding one. */
  private namesOption(text: string, flow: Position['flow']): boolean {
    const t = normalise(text);
    if (/^(?:#|no |number |option )?\d{1,2}$/.test(t)) return true;
    return this.menuOptions(flow).some((o) => normalise(o.label) === t || o.synonyms?.includes(t));
  }

  private asksAgain(text: string, dialog: FlowDialog): boolean {
    const t = normalise(text);
    return (
      [normalise(dialog.againLabel ?? ''), ...(dialog.againSynonyms ?? [])].filter(Boolean).includes(t) ||
      t === normalise(dialog.menuLabel) ||
      dialog.asksAgain?.(text) === true
    );
  }

  /**
   * What to say after a turn. `restarted` means the
   * stored conversation could not be picked up; `returning` means the user has been away.
   */
  render(input: {
    /** Where the conversation stood before the event (null for a new conversation). */
    before: Position | null;
    after: AnyMachineSnapshot;
    parsed: Parsed;
    /** Whether the machine took the event (false: the answer is refused and asked again). */
    accepted?: boolean;
    restarted?: boolean;
    /** The flow in progress could not be picked up (its machine changed), so it starts again. */
    flowRestarted?: string;
    returning?: boolean;
  }): Reply[] {
    const { before, after, parsed } = input;
    const replies: Reply[] = [];
    if (input.restarted) {
      replies.push({ text: "Sorry, I couldn't pick up our earlier conversation, so we are starting again." });
    }
    if (input.flowRestarted) {
      const label = this.flows.find((f) => f.id === input.flowRestarted)?.menuLabel ?? 'what you were doing';
      replies.push({ text: `Sorry, this service has changed since we last spoke, so I couldn't pick up where you were ("${label}"). Please start it again from the menu; anything already sent to NAS is kept.` });
    }
    const was = before ?? {};
    const now = this.position(after);

    const asked = QUESTION_KINDS.has(parsed.kind);
    if (!now.flow) {
      if (asked) return [...replies, ...this.questions.replies(parsed, undefined, () => [this.menu()])!];
      if (was.flow && parsed.kind === 'event' && parsed.event.type === 'CANCEL') {
        replies.push({ text: 'Cancelled. Nothing was sent, and nothing you told me in that step was kept.' });
      } else if (parsed.kind === 'help') {
        replies.push({ text: this.generalHelp() });
      } else if (parsed.kind === 'say') {
        replies.push({ text: parsed.text });
      } else if (parsed.kind === 'notUnderstood') {
        replies.push({ text: `Sorry, I did not understand that. ${this.menuHint()}` });
      } else if (!before || parsed.kind === 'greet' || input.restarted) {
        replies.push({ text: this.greeting() });
      }
      replies.push(this.menu());
      return replies;
    }

    const { dialog, snapshot, menuOpen, confirmLeave } = now.flow;
    if (menuOpen) {
      if (asked) return [...replies, ...this.questions.replies(parsed, now.flow, () => [this.menu(dialog, snapshot)])!];
      if (parsed.kind === 'help') replies.push({ text: this.generalHelp() });
      else if (parsed.kind === 'say') replies.push({ text: parsed.text });
      else if (parsed.kind === 'notUnderstood') replies.push({ text: `Sorry, I did not understand that. ${this.menuHint()}` });
      replies.push(this.menu(dialog, snapshot));
      return replies;
    }
    if (confirmLeave) {
      if (parsed.kind === 'notUnderstood') replies.push({ text: 'Please answer yes or no.' });
      if (parsed.kind === 'say') replies.push({ text: parsed.text });
      const lose = dialog.wouldLose?.(snapshot) ?? 'what you have entered';
      const question = now.leaving === 'restart' ? 'Start again from the beginning?' : `Cancel this ${dialog.noun ?? 'request'}?`;
      replies.push({ text: `${question} You would lose ${lose}, and would need to do it again.`, choices: ['Yes', 'No'] });
      return replies;
    }

    const flowBefore = was.flow?.dialog.id === dialog.id ? was.flow : undefined;
    const event = parsed.kind === 'event' ? parsed.event : undefined;
    const entered = !flowBefore || event?.type === 'RESTART';

    if (input.returning && !entered) {
      replies.push({ text: this.welcomeBack(dialog, snapshot) });
    }
    if (asked) {
      return [...replies, ...this.questions.replies(parsed, now.flow, () => [dialog.prompt(snapshot, undefined, true)])!];
    } else if (parsed.kind === 'help') {
      replies.push({ text: dialog.help(snapshot) });
    } else if (parsed.kind === 'greet') {
      if (!input.returning) replies.push({ text: 'Hello again. Here is where we are:' });
    } else if (parsed.kind === 'say') {
      if (parsed.alone) {
        replies.push({ text: parsed.text, ...(parsed.choices ? { choices: parsed.choices } : {}) });
        return replies;
      }
      replies.push({ text: parsed.text });
    } else if (parsed.kind === 'notUnderstood') {
      replies.push({ text: `Sorry, I did not understand that. ${dialog.hint(snapshot)}` });
    } else if (parsed.kind === 'invalid') {
      replies.push({ text: parsed.message });
      replies.push(dialog.prompt(snapshot, parsed.form, true));
      return replies;
    } else if (entered) {
      const again = event?.type === 'RESTART' && flowBefore && !flowBefore.confirmLeave && dialog.isFinished?.(flowBefore.snapshot);
      replies.push({
        text: again ? `A new ${dialog.noun ?? 'request'}. ${dialog.intro()}` : event?.type === 'RESTART' ? 'Starting again from the beginning.' : dialog.intro(),
      });
    } else if (flowBefore?.menuOpen) {
      replies.push({ text: 'Carrying on where you left off.' });
    } else if (flowBefore?.confirmLeave) {
      replies.push({ text: 'Carrying on: nothing was lost.' });
    } else if (event?.type === 'TO_FLOW' && event.event.type === 'BACK') {
      if (input.accepted === false) {
        replies.push({ text: dialog.cannotGoBack(snapshot) });
      } else {
        const previous = dialog.previousAnswer(snapshot);
        if (previous) replies.push({ text: `Going back. Last time you answered: ${previous}.` });
      }
    } else if (event?.type === 'TO_FLOW') {
      const problem = dialog.problem?.(snapshot);
      if (problem) replies.push({ text: problem });
      // The machine refused the answer: re-ask, never advance.
      else if (input.accepted === false) replies.push({ text: `Sorry, that answer does not fit here. ${dialog.hint(snapshot)}` });
    }
    // The same step once more unless the flow just started or took an answer (help, a greeting, an
    // answer not understood, carrying on from the menu, a return after a while).
    const again = !entered && !(event?.type === 'TO_FLOW' && input.accepted !== false);
    replies.push(dialog.prompt(snapshot, undefined, again));
    return replies;
  }

  greeting(): string {
    const offers = this.flows.map((f) => `• ${f.offer}`).join('\n');
    return [
      "Hello, I'm the NHSmail care assistant for care providers and dental practices in England. I can help you:",
      offers,
      'You can also ask me about NHSmail in your own words (for example "what is a DSPT?"), or say "talk to a person".',
      'At any point you can say "help", "back", "menu", "cancel" or "start again".',
    ].join('\n');
  }

  /** With a flow in progress, the menu offers to carry on with it (or, once finished, to start another). */
  private menuOptions(inProgress?: Position['flow']) {
    const others = this.flows
      .filter((f) => f.id !== inProgress?.dialog.id)
      .map((f) => ({ value: f.id, label: f.menuLabel, synonyms: f.menuSynonyms }));
    if (!inProgress) return others;
    const { dialog, snapshot } = inProgress;
    if (dialog.isFinished?.(snapshot) && dialog.againLabel) {
      const again = { value: 'again', label: dialog.againLabel, synonyms: [...(dialog.againSynonyms ?? []), normalise(dialog.menuLabel), ...dialog.menuSynonyms] };
      return [again, ...others];
    }
    const resume = {
      value: 'resume',
      label: RESUME_LABEL(dialog),
      synonyms: ['carry on', 'continue', 'resume', normalise(dialog.menuLabel), ...dialog.menuSynonyms],
    };
    return [resume, ...others];
  }

  private menu(inProgress?: FlowDialog, snapshot?: AnyMachineSnapshot): Reply {
    const position = inProgress && snapshot ? { dialog: inProgress, snapshot, menuOpen: true, confirmLeave: false } : undefined;
    const finished = position && inProgress!.isFinished?.(snapshot!);
    return {
      text: inProgress && !finished ? 'Menu. What would you like to do? Your progress so far is kept.' : 'What would you like to do?',
      choices: this.menuOptions(position).map((o) => o.label),
    };
  }

  private menuHint(): string {
    return 'Please choose an option from the menu, by its name or its number.';
  }

  private generalHelp(): string {
    return [
      'Choose what you want to do from the menu, by pressing a button, typing its name or its number.',
      'Anywhere in a conversation you can say "back" to change your last answer, "menu" to see the options, "cancel" to stop, or "start again".',
      `For anything else about NHSmail, the national helpdesk is ${NATIONAL_HELPDESK.email} or ${NATIONAL_HELPDESK.phone} (${NATIONAL_HELPDESK.hours}).`,
    ].join('\n');
  }

  private welcomeBack(dialog: FlowDialog, snapshot: AnyMachineSnapshot): string {
    const { about, done, left } = dialog.progress(snapshot);
    const lines = [about ? `Welcome back. You are ${about}. Here is where you are:` : 'Welcome back. Here is where you are:'];
    if (done.length) lines.push(`Done: ${done.join('; ')}.`);
    if (left.length) lines.push(`Still to do: ${left.join('; ')}.`);
    return lines.join('\n');
  }
}
