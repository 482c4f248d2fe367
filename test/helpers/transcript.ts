import type { Activity } from 'botbuilder';
import { Dialog, DialogContext, DialogTurnResult } from 'botbuilder-dialogs';
import { DialogTestClient } from 'botbuilder-testing';
import { createAssistant } from '../../bot/app';
import { loadConfig } from '../../bot/config';
import { createLogger } from '../../bot/logger';
import { UNLIMITED } from './bot';

/** Hands every turn to the assistant's bot, so botbuilder-testing drives the real thing. */
class AssistantDialog extends Dialog {
  constructor(private readonly run: (dc: DialogContext) => Promise<void>) {
    super('assistant');
  }

  override async beginDialog(dc: DialogContext): Promise<DialogTurnResult> {
    await this.run(dc);
    return Dialog.EndOfTurn;
  }

  override async continueDialog(dc: DialogContext): Promise<DialogTurnResult> {
    await this.run(dc);
    return Dialog.EndOfTurn;
  }
}

export interface Transcript {
  /** Sends text; returns every message the assistant replied with. */
  say(text: string): Promise<Activity[]>;
  /** Presses a card's Action.Submit: sends its `value` (and no text), as Teams and Web Chat do. */
  submit(value: Record<string, unknown>): Promise<Activity[]>;
  /** Sends text; returns the replies' texts joined, for matching. */
  ask(text: string): Promise<string>;
  clock: { now: number };
  assistant: ReturnType<typeof createAssistant>;
  /** The channel and conversation id the turns are sent with. */
  channelId: string;
  conversationId: string;
}

/** A new conversation; with `sharing`, a new conversation with the same assistant and clock. */
export function transcript(channelId = 'test', sharing?: Transcript): Transcript {
  const clock = sharing?.clock ?? { now: Date.parse('2026-11-23T09:00:00Z') };
  const assistant = sharing?.assistant ?? createAssistant(loadConfig(UNLIMITED), createLogger('silent'), () => clock.now);
  const client = new DialogTestClient(channelId, new AssistantDialog((dc) => assistant.bot.run(dc.context)));
  let sequence = 0;
  const conversation = { id: `conversation-${Math.random().toString(36).slice(2)}` };
  const send = async (fields: Partial<Activity>) => {
    const first = (await client.sendActivity({ type: 'message', id: `activity-${++sequence}`, conversation, ...fields } as Partial<Activity>)) as
      | Activity
      | undefined;
    const replies: Activity[] = first ? [first] : [];
    for (let next = client.getNextReply(); next; next = client.getNextReply()) replies.push(next as Activity);
    return replies.filter((a) => a.type === 'message');
  };
  const say = (text: string) => send({ text });
  return {
    say,
    submit: (value) => send({ value }),
    ask: async (text) => (await say(text)).map((a) => a.text).join('\n---\n'),
    clock,
    assistant,
    channelId,
    conversationId: conversation.id,
  };
}

/** The Adaptive Card an activity carries, if any. */
export function cardOf(activity: Activity | undefined): Record<string, any> | undefined {
  const attachment = activity?.attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive');
  return attachment?.content as Record<string, any> | undefined;
}

/** Every element of a card (body, containers, actions), depth first. */
export function cardElements(card: unknown): Record<string, any>[] {
  const found: Record<string, any>[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const element = node as Record<string, any>;
      if (typeof element.type === 'string') found.push(element);
      for (const key of ['body', 'items', 'actions', 'columns']) if (key in element) walk(element[key]);
    }
  };
  walk(card);
  return found;
}

export function buttons(activity: Activity | undefined): string[] {
  return (activity?.suggestedActions?.actions ?? []).map((a) => String(a.value));
}
