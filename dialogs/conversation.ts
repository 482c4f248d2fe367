import type { AnyMachineSnapshot } from 'xstate';
import { ConversationEvent, flowSnapshot } from '../machines/conversation';
import { NATIONAL_HELPDESK } from './contacts';
import { normalise, parseChoice, parseGlobalCommand } from './parsing';
import type { FormState } from './cards';
import type { FlowDialog, FlowParse, Reply } from './types';

/** What the user's message means, before the machine decides anything. */
export type Parsed =
  | { kind: 'event'; event: ConversationEvent }
  | { kind: 'help' }
  | { kind: 'notUnderstood' }
  /** An answer of the right kind that is wrong: the message says what is wrong. */
  | { kind: 'invalid'; message: string; form?: FormState }
  /** First contact, or "hello": greet and show the menu (or where they are). */
  | { kind: 'greet' };

/** Where the conversation stands, read from the root machine's snapshot. */
export interface Position {
  flow?: { dialog: FlowDialog; menuOpen: boolean; snapshot: AnyMachineSnapshot };
}

const GREETINGS = new Set(['hi', 'hello', 'hey', 'hiya', 'good morning', 'good afternoon', 'good evening', 'hi there', 'hello there', 'start']);
const RESUME_LABEL = (dialog: FlowDialog) => `Carry on: ${dialog.menuLabel}`;

export class ConversationDialog {
  constructor(private readonly flows: readonly FlowDialog[]) {}

  position(snapshot: AnyMachineSnapshot): Position {
    const value = snapshot.value as string | { inFlow?: Record<string, string> };
    if (typeof value === 'string' || !value.inFlow) return {};
    const [flowId, mode] = Object.entries(value.inFlow)[0] ?? [];
    const dialog = this.flows.find((f) => f.id === flowId);
    const child = flowSnapshot(snapshot);
    if (!dialog || !child) return {};
    return { flow: { dialog, menuOpen: mode === 'menuOpen', snapshot: child } };
  }

  /** A flow's parse result as what it means here. */
  private fromFlow(result: FlowParse): Parsed {
    if (!result) return { kind: 'notUnderstood' };
    if ('invalid' in result) return { kind: 'invalid', message: String(result.invalid), form: result.form as FormState | undefined };
    return { kind: 'event', event: { type: 'TO_FLOW', event: result } };
  }

  /**
   * The user's message as what it means here: typed text, or a card's submitted `value` (whose
   * `action` says which button was pressed). Empty text with no value is not understood.
   */
  parse(text: string, snapshot: AnyMachineSnapshot, value?: unknown): Parsed {
    const { flow } = this.position(snapshot);
    const action = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>).action : undefined;
    if (typeof action === 'string' && action !== 'back') {
      if (!flow || flow.menuOpen || !flow.dialog.parseCard) return { kind: 'notUnderstood' };
      return this.fromFlow(flow.dialog.parseCard(value as Record<string, unknown>, flow.snapshot));
    }
    const command = action === 'back' ? 'back' : parseGlobalCommand(text);
    if (command === 'help') return { kind: 'help' };
    if (command === 'menu') return flow && !flow.menuOpen ? { kind: 'event', event: { type: 'MENU' } } : { kind: 'greet' };
    if (command && !flow) return { kind: 'greet' };
    if (command === 'cancel') return { kind: 'event', event: { type: 'CANCEL' } };
    if (command === 'restart') return { kind: 'event', event: { type: 'RESTART' } };
    if (command === 'back') {
      return flow!.menuOpen
        ? { kind: 'event', event: { type: 'RESUME' } }
        : { kind: 'event', event: { type: 'TO_FLOW', event: { type: 'BACK' } } };
    }

    if (flow && !flow.menuOpen) return this.fromFlow(flow.dialog.parse(text, flow.snapshot));
    const choice = parseChoice(text, this.menuOptions(flow?.dialog));
    if (choice === 'resume') return { kind: 'event', event: { type: 'RESUME' } };
    if (choice) return { kind: 'event', event: { type: 'START_FLOW', flow: choice } };
    if (GREETINGS.has(normalise(text))) return { kind: 'greet' };
    return { kind: 'notUnderstood' };
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
    returning?: boolean;
  }): Reply[] {
    const { before, after, parsed } = input;
    const replies: Reply[] = [];
    if (input.restarted) {
      replies.push({ text: "Sorry, I couldn't pick up our earlier conversation, so we are starting again." });
    }
    const was = before ?? {};
    const now = this.position(after);

    if (!now.flow) {
      if (was.flow && parsed.kind === 'event' && parsed.event.type === 'CANCEL') {
        replies.push({ text: 'Cancelled. Nothing was sent, and nothing you told me in that step was kept.' });
      } else if (parsed.kind === 'help') {
        replies.push({ text: this.generalHelp() });
      } else if (parsed.kind === 'notUnderstood') {
        replies.push({ text: `Sorry, I did not understand that. ${this.menuHint()}` });
      } else if (!before || parsed.kind === 'greet' || input.restarted) {
        replies.push({ text: this.greeting() });
      }
      replies.push(this.menu());
      return replies;
    }

    const { dialog, snapshot, menuOpen } = now.flow;
    if (menuOpen) {
      if (parsed.kind === 'help') replies.push({ text: this.generalHelp() });
      else if (parsed.kind === 'notUnderstood') replies.push({ text: `Sorry, I did not understand that. ${this.menuHint()}` });
      replies.push(this.menu(dialog));
      return replies;
    }

    const flowBefore = was.flow?.dialog.id === dialog.id ? was.flow : undefined;
    const event = parsed.kind === 'event' ? parsed.event : undefined;
    const entered = !flowBefore || event?.type === 'RESTART';

    if (input.returning && !entered) {
      replies.push({ text: this.welcomeBack(dialog, snapshot) });
    }
    if (parsed.kind === 'help') {
      replies.push({ text: dialog.help(snapshot) });
    } else if (parsed.kind === 'notUnderstood') {
      replies.push({ text: `Sorry, I did not understand that. ${dialog.hint(snapshot)}` });
    } else if (parsed.kind === 'invalid') {
      replies.push({ text: parsed.message });
      replies.push(dialog.prompt(snapshot, parsed.form));
      return replies;
    } else if (entered) {
      replies.push({ text: event?.type === 'RESTART' ? 'Starting again from the beginning.' : dialog.intro() });
    } else if (flowBefore?.menuOpen) {
      replies.push({ text: 'Carrying on where you left off.' });
    } else if (event?.type === 'TO_FLOW' && event.event.type === 'BACK') {
      if (input.accepted === false) {
        replies.push({ text: 'This is the first question, so there is nothing to go back to.' });
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
    replies.push(dialog.prompt(snapshot));
    return replies;
  }

  greeting(): string {
    const offers = this.flows.map((f) => `• ${f.offer}`).join('\n');
    return [
      "Hello, I'm the NHSmail care assistant for care providers and dental practices in England. I can help you:",
      offers,
      'At any point you can say "help", "back", "menu", "cancel" or "start again".',
    ].join('\n');
  }

  /** With a flow in progress, the menu offers to carry on with it instead of starting it anew. */
  private menuOptions(inProgress?: FlowDialog) {
    const others = this.flows
      .filter((f) => f.id !== inProgress?.id)
      .map((f) => ({ value: f.id, label: f.menuLabel, synonyms: f.menuSynonyms }));
    if (!inProgress) return others;
    const resume = {
      value: 'resume',
      label: RESUME_LABEL(inProgress),
      synonyms: ['carry on', 'continue', 'resume', normalise(inProgress.menuLabel), ...inProgress.menuSynonyms],
    };
    return [resume, ...others];
  }

  private menu(inProgress?: FlowDialog): Reply {
    return {
      text: inProgress ? 'Menu. What would you like to do? Your progress so far is kept.' : 'What would you like to do?',
      choices: this.menuOptions(inProgress).map((o) => o.label),
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
    const { done, left } = dialog.progress(snapshot);
    const lines = ['Welcome back. Here is where you are:'];
    if (done.length) lines.push(`Done: ${done.join('; ')}.`);
    if (left.length) lines.push(`Still to do: ${left.join('; ')}.`);
    return lines.join('\n');
  }
}
