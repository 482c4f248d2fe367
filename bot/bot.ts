import { ActivityHandler, ActivityTypes, CardFactory, MessageFactory, TeamsInfo, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { ConversationReferences, keptReference } from '../adapters/conversationReferences';
import type { Reply } from '../dialogs/types';
import type { ConversationEngine, TurnInput, UserIdentity } from './engine';

/** Channels that show Adaptive Cards; elsewhere (the Emulator's text mode, the terminal) the text prompts stay. */
export const CARD_CHANNELS: ReadonlySet<string> = new Set(['msteams', 'webchat', 'directline']);

/**
 * A turn's replies as messages: what is said before the last reply goes in the same message as
 * it, so a turn is one message on a phone (two when the last is a card).
 */
export function toActivities(replies: Reply[], channelId = '') {
  if (replies.length === 0) return [];
  const last = replies[replies.length - 1]!;
  const before = replies.slice(0, -1).map((r) => r.text);
  if (last.card && CARD_CHANNELS.has(channelId)) {
    return [...(before.length ? [MessageFactory.text(before.join('\n\n'))] : []), toActivity(last, channelId)];
  }
  return [toActivity({ ...last, text: [...before, last.text].join('\n\n') }, channelId)];
}

/**
 * A reply as a Bot Framework message: on a card channel its card when it has one; otherwise
 * text, with its choices as suggested-action buttons.
 */
export function toActivity(reply: Reply, channelId = '') {
  if (reply.card && CARD_CHANNELS.has(channelId)) {
    const activity = MessageFactory.attachment(CardFactory.adaptiveCard(reply.card));
    activity.summary = reply.text.split('\n')[0];
    return activity;
  }
  return reply.choices?.length ? MessageFactory.suggestedActions(reply.choices, reply.text) : MessageFactory.text(reply.text);
}

/** The signed-in Teams user's email and user principal name. */
async function teamsIdentity(context: TurnContext): Promise<UserIdentity | undefined> {
  const userId = context.activity.from?.id;
  if (!userId) return undefined;
  const member = await TeamsInfo.getMember(context, userId);
  return { name: member.name, email: member.email, userPrincipalName: member.userPrincipalName, source: 'teams' };
}

/**
 * The Bot Framework face of the assistant. Thin on purpose: it turns activities into engine
 * turns and the engine's replies into activities; the conversation itself lives elsewhere.
 */
export interface CareAssistantBotOptions {
  /** Where each conversation's reference is kept, so that it can be messaged later (bot/notifier.ts). */
  references?: ConversationReferences;
  logger?: Logger;
}

/** A reference is saved again when it changes, or this long after it was last saved (its TTL slides). */
const REFERENCE_REFRESH_MS = 12 * 60 * 60 * 1000;
/** References this process remembers having saved (to skip saving the same again every turn). */
const REMEMBERED_REFERENCES = 5_000;

export class CareAssistantBot extends ActivityHandler {
  private readonly savedReferences = new Map<string, { signature: string; at: number }>();

  constructor(
    private readonly engine: ConversationEngine,
    private readonly options: CareAssistantBotOptions = {},
  ) {
    super();

    this.onMessage(async (context, next) => {
      // In Teams channels and group chats the text starts with the bot's own @mention.
      const text = TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '';
      await this.runTurn(context, { kind: 'message', text, value: context.activity.value });
      await next();
    });

    this.onMembersAdded(async (context, next) => {
      const { activity } = context;
      const botId = activity.recipient?.id;
      const added = activity.membersAdded ?? [];
      const humans = added.filter((member) => member.id !== botId);
      // Installing the app in Teams adds the bot to the user's personal chat.
      const installedInTeams =
        activity.channelId === 'msteams' && activity.conversation?.conversationType === 'personal' && added.some((m) => m.id === botId);
      // The terminal chat says when it is opening a conversation again (it shows nothing of the last time).
      const reopened = (activity.channelData as { reopened?: unknown } | undefined)?.reopened === true;
      if (humans.length > 0 || installedInTeams) await this.runTurn(context, { kind: 'conversationStart', ...(reopened ? { reopened } : {}) });
      await next();
    });
  }

  private async runTurn(context: TurnContext, input: Pick<TurnInput, 'kind' | 'text' | 'value' | 'reopened'>): Promise<void> {
    const { activity } = context;
    // Teams shows "typing…" while the turn runs; other channels do not need the extra call.
    // It is only a courtesy: a channel that refuses it must not fail the turn (the replies decide).
    if (activity.type === ActivityTypes.Message && activity.channelId === 'msteams') {
      await context.sendActivity({ type: ActivityTypes.Typing }).catch((error: unknown) => this.options.logger?.warn({ err: error }, 'typing indicator not sent'));
    }
    const conversationReference = TurnContext.getConversationReference(activity);
    const key = this.engine.conversationKey({ channelId: activity.channelId, conversationId: activity.conversation.id });
    const result = await this.engine.turn({
      ...input,
      channelId: activity.channelId,
      conversationId: activity.conversation.id,
      activityId: activity.id,
      userId: activity.from?.id,
      conversationReference,
      identify:
        activity.channelId === 'msteams'
          ? async () => {
              const identity = await teamsIdentity(context);
              // Known now: the person can be found by their address (an owner asked to vouch).
              await this.keepReference(key, conversationReference, identity);
              return identity;
            }
          : undefined,
      // The engine sends after saving, and keeps what the channel refuses.
      deliver: async (replies) => {
        await context.sendActivities(toActivities(replies, activity.channelId));
      },
    });
    if (result.outcome !== 'error') await this.keepReference(key, conversationReference);
  }

  /**
   * Keeps how to reach this conversation later, when it changed or has not been saved for a
   * while; with the user's addresses when the channel has just said who they are. Never fails a
   * turn: a reference not kept only means a later message may go by email instead.
   */
  private async keepReference(key: string, reference: unknown, identity?: UserIdentity): Promise<void> {
    const { references, logger } = this.options;
    const kept = keptReference(reference);
    if (!references || !kept) return;
    const signature = JSON.stringify(kept);
    const previous = this.savedReferences.get(key);
    const now = Date.now();
    const addresses = [identity?.email, identity?.userPrincipalName].filter((a): a is string => typeof a === 'string' && a.length > 0);
    if (!addresses.length && previous?.signature === signature && now - previous.at < REFERENCE_REFRESH_MS) return;
    try {
      await references.save(key, kept, addresses);
      this.savedReferences.delete(key);
      this.savedReferences.set(key, { signature, at: now });
      if (this.savedReferences.size > REMEMBERED_REFERENCES) this.savedReferences.delete(this.savedReferences.keys().next().value!);
    } catch (error) {
      logger?.warn({ err: error, conversation: key }, 'conversation reference not kept');
    }
  }
}
