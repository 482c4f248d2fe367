import { CloudAdapter, ConversationReference, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import { ConversationReferences, KeptReference, keptReference } from '../adapters/conversationReferences';
import { StoreUnavailableError } from '../adapters/conversationStore';
import { activityId as directLineActivityId, DirectLineState } from '../adapters/directLineState';
import type { Outbox } from '../adapters/outbox';
import type { AdaptiveCard } from '../dialogs/cards';
import { NATIONAL_HELPDESK } from '../dialogs/contacts';
import type { Reply } from '../dialogs/types';
import type { ConversationEvent } from '../machines/conversation';
import { toActivities, toActivity } from './bot';
import { botAccount } from './directLine';
import type { ConversationEngine } from './engine';

/**
 * Messages to a conversation from outside it (CONTRACTS §7): a NAS status change told to the
 * requester, a shared mailbox owner asked to vouch, their answer told back.
 *
 *   notifier.notify(target, message)
 *
 * delivers under that conversation's lease (ConversationEngine.deliverNotification), so it never
 * races one of its turns: on Bot Framework channels (Teams, the Emulator) through
 * `adapter.continueConversationAsync`, on the web chat page by adding to the shared Direct Line
 * buffer (any instance, or a process with no server at all, reaches any page). With an `event`,
 * the conversation's machine takes it when it can, its state moves and what it then says follows
 * the message. A message that cannot be delivered (the channel refuses, the conversation is gone,
 * the user ended it) goes to the requester by email through the outbox when their address is
 * known. On Teams and the web page, messages with the same `updateTag` update the first one in
 * place (a request's status card).
 */

export interface NotifyTarget {
  /** How to reach the conversation: a Bot Framework conversation reference (a NAS request's requester's). */
  conversationReference?: unknown;
  /** Or the conversation's key (ConversationEngine.conversationKey), whose reference the bot kept. */
  conversationKey?: string;
  /** Where the message goes by email when the conversation cannot be reached. */
  email?: string;
}

export interface NotifyMessage {
  /** What to say (also the email's text when it falls back to email). */
  text: string;
  /** Shown instead of the text on Teams and the web page. */
  card?: AdaptiveCard;
  choices?: string[];
  /** For the conversation's machine (see ConversationEngine.deliverNotification). */
  event?: ConversationEvent;
  /** Messages with the same tag update the first one in place (Teams, web page), e.g. `status:REG-7KD9QX2P`. */
  updateTag?: string;
  /** Delivered at most once per conversation (e.g. `REG-7KD9QX2P:v4`): a retried change says nothing twice. */
  idempotencyKey?: string;
  /** The fallback email's subject. */
  emailSubject?: string;
  /**
   * Ask the question the conversation is waiting on again after the message (default true; not
   * when the event moved it, which says what comes next anyway, nor after a Teams card updated in
   * place). On the web page a new message takes the question's buttons away.
   */
  repeatPrompt?: boolean;
}

export type NotifyResult =
  | {
      outcome: 'delivered';
      channelId: string;
      /** The event moved the conversation's state. */
      moved: boolean;
      /** The id of the message on the channel (Teams keeps it to update the card). */
      activityId?: string;
      /** An earlier message with the same tag was updated instead of a new one sent. */
      updated: boolean;
    }
  /** The same idempotency key was delivered before: nothing was said again. */
  | { outcome: 'repeated' }
  | { outcome: 'emailed'; reason: string; outboxId: string }
  /** Neither the conversation nor an email address could be reached. */
  | { outcome: 'undeliverable'; reason: string }
  /** The conversation store could not be used or the conversation stayed busy: try again later. */
  | { outcome: 'failed'; reason: string };

/** The channel refused, or the conversation can no longer be reached on it. */
export class UndeliverableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UndeliverableError';
  }
}

interface Sent {
  activityId?: string;
  updated: boolean;
}

/** How replies reach one kind of channel. */
interface ChannelDelivery {
  /** `replies[0]` is the message itself; the rest is what the conversation says after it (`moved`: because the event moved it). */
  send(reference: KeptReference, key: string, replies: Reply[], options: { updateTag?: string; known: boolean; moved: boolean }): Promise<Sent>;
}

export interface NotifierParts {
  engine: ConversationEngine;
  references: ConversationReferences;
  outbox?: Outbox;
  logger: Logger;
  /** The web chat page's channel: its shared state, and the bot's app id (its account there). */
  webChat?: { state: DirectLineState; appId?: string };
  /** Bot Framework channels: the adapter (made when first needed) and the bot's app id. */
  botFramework?: { adapter: () => CloudAdapter; appId?: string };
  now?: () => number;
}

export class Notifier {
  private readonly now: () => number;
  private readonly webChat?: ChannelDelivery;
  private readonly botFramework?: ChannelDelivery;

  constructor(private readonly parts: NotifierParts) {
    this.now = parts.now ?? Date.now;
    if (parts.webChat) this.webChat = new WebChatDelivery(parts.webChat.state, parts.webChat.appId, parts.references, this.now);
    if (parts.botFramework) this.botFramework = new BotFrameworkDelivery(parts.botFramework.adapter, parts.botFramework.appId, parts.references);
  }

  async notify(target: NotifyTarget, message: NotifyMessage): Promise<NotifyResult> {
    const reply: Reply = { text: message.text, ...(message.card ? { card: message.card } : {}), ...(message.choices ? { choices: message.choices } : {}) };
    return this.deliver(target, { replies: [reply], event: message.event, repeatPrompt: message.repeatPrompt ?? true }, message);
  }

  /**
   * Says where the conversation stands (its current question), as after a greeting: for a web
   * chat page that came back to a conversation whose transcript the channel no longer had.
   */
  async showPosition(target: NotifyTarget, options: { onlyIfAway?: boolean } = {}): Promise<NotifyResult> {
    return this.deliver(target, { showPosition: options.onlyIfAway ? 'ifAway' : true }, { text: '' });
  }

  private async deliver(
    target: NotifyTarget,
    delivery: { replies?: Reply[]; event?: ConversationEvent; showPosition?: boolean | 'ifAway'; repeatPrompt?: boolean },
    message: NotifyMessage,
  ): Promise<NotifyResult> {
    const { engine, references, logger } = this.parts;
    const given = keptReference(target.conversationReference);
    const key = target.conversationKey ?? (given ? engine.conversationKey({ channelId: given.channelId, conversationId: given.conversation.id }) : undefined);
    let reference: KeptReference | undefined;
    try {
      reference = (key ? await references.get(key) : undefined) ?? given;
    } catch (error) {
      logger.warn({ err: error, conversation: key }, 'notification: references unavailable');
      return { outcome: 'failed', reason: 'the conversation references could not be read' };
    }
    if (!reference || !key) return this.fallBack(target, message, 'there is no conversation to reach', key);
    const log = logger.child({ conversation: key, channelId: reference.channelId });
    const channel = reference.channelId === 'webchat' ? this.webChat : this.botFramework;
    if (!channel) return this.fallBack(target, message, `this process cannot reach the ${reference.channelId} channel`, key);

    if (message.idempotencyKey && !(await this.claim(key, message.idempotencyKey))) {
      log.info({ outcome: 'repeated' }, 'notification');
      return { outcome: 'repeated' };
    }
    const release = async () => {
      if (message.idempotencyKey) await references.unclaim(key, message.idempotencyKey).catch(() => undefined);
    };

    let sent: Sent = { updated: false };
    const result = await engine.deliverNotification({ channelId: reference.channelId, conversationId: reference.conversation.id }, delivery, async (replies, context) => {
      sent = await channel.send(reference!, key, replies, { updateTag: message.updateTag, ...context });
    });
    if (result.outcome === 'delivered') {
      log.info({ outcome: 'delivered', moved: result.moved, updated: sent.updated }, 'notification');
      return { outcome: 'delivered', channelId: reference.channelId, moved: result.moved, updated: sent.updated, ...(sent.activityId ? { activityId: sent.activityId } : {}) };
    }
    if (result.outcome === 'notSent' && result.error instanceof StoreUnavailableError) {
      // The web chat's shared state could not be written: nothing reached the page, try again
      // later (an event that moved the conversation is not given back: it must not apply twice).
      if (!result.moved) await release();
      log.warn({ outcome: 'failed', moved: result.moved }, 'notification not delivered');
      return { outcome: 'failed', reason: 'the web chat state could not be used' };
    }
    if (result.outcome === 'notSent') {
      const reason = result.error instanceof Error ? result.error.message : 'the channel refused the message';
      const fallen = await this.fallBack(target, message, reason, key);
      if (fallen.outcome !== 'emailed') await release();
      return fallen;
    }
    await release();
    log.warn({ outcome: result.outcome }, 'notification not delivered');
    return { outcome: 'failed', reason: result.outcome === 'busy' ? 'the conversation stayed busy' : 'the conversation store could not be used' };
  }

  private async claim(key: string, id: string): Promise<boolean> {
    try {
      return await this.parts.references.claim(key, id);
    } catch {
      // Unknown whether it was delivered before: better twice than never.
      return true;
    }
  }

  /** The message by email to the requester (outbox), when their address is known. */
  private async fallBack(target: NotifyTarget, message: NotifyMessage, reason: string, key?: string): Promise<NotifyResult> {
    const { outbox, logger } = this.parts;
    if (!target.email || !outbox || !message.text) {
      logger.warn({ reason }, 'notification undeliverable');
      return { outcome: 'undeliverable', reason };
    }
    const body = [
      message.text.replace(/\*\*(.+?)\*\*/g, '$1'),
      'We could not reach you in the chat where you asked for this, so we are writing to you instead.',
      `This is an automatic message from the NHSmail care assistant. For help, contact the NHSmail national helpdesk: ${NATIONAL_HELPDESK.email} or ${NATIONAL_HELPDESK.phone} (${NATIONAL_HELPDESK.hours}).`,
    ].join('\n\n');
    const sent = await outbox.send(
      { channel: 'email', recipient: target.email, subject: message.emailSubject ?? 'A message from the NHSmail care assistant', body, tags: { kind: 'notification' } },
      message.idempotencyKey ? { dedupeKey: `notification:${key ?? ''}:${message.idempotencyKey}` } : {},
    );
    logger.info({ reason }, 'notification emailed');
    return { outcome: 'emailed', reason, outboxId: sent.id };
  }
}

/** JSON of a botbuilder activity (MessageFactory's objects are plain, but never shared). */
const plain = (activity: unknown) => JSON.parse(JSON.stringify(activity)) as Record<string, unknown>;

/**
 * Bot Framework channels: a proactive turn with continueConversationAsync. Errors inside it would
 * go to the adapter's onTurnError (and be lost): they are caught and rethrown here. On Teams the
 * tagged message is updated in place (updateActivity with the id it was sent with).
 */
class BotFrameworkDelivery implements ChannelDelivery {
  constructor(
    private readonly adapter: () => CloudAdapter,
    private readonly appId: string | undefined,
    private readonly references: ConversationReferences,
  ) {}

  async send(reference: KeptReference, key: string, replies: Reply[], options: { updateTag?: string; moved: boolean }): Promise<Sent> {
    const { channelId } = reference;
    const [first, ...rest] = replies;
    const previous = options.updateTag && channelId === 'msteams' ? await this.references.sent(key, options.updateTag) : undefined;
    let failure: { error: unknown } | undefined;
    const sent: Sent = { updated: false };
    await this.adapter().continueConversationAsync(this.appId ?? '', reference as Partial<ConversationReference>, async (context: TurnContext) => {
      try {
        if (first) {
          const activity = toActivity(first, channelId);
          if (previous) {
            try {
              await context.updateActivity({ ...activity, id: previous.id });
              sent.updated = true;
              sent.activityId = previous.id;
            } catch {
              // The earlier message is gone (deleted, or too old to edit): send a new one.
            }
          }
          if (!sent.updated) {
            const response = await context.sendActivity(activity);
            if (response?.id) sent.activityId = response.id;
          }
        }
        // A card updated in place leaves the question's buttons where they were: no need to ask again.
        if (rest.length > 0 && !(sent.updated && !options.moved)) await context.sendActivities(toActivities(rest, channelId));
      } catch (error) {
        failure = { error };
      }
    });
    if (failure) throw new UndeliverableError(describe(failure.error), { cause: failure.error });
    if (options.updateTag && channelId === 'msteams' && sent.activityId && !sent.updated) {
      await this.references.rememberSent(key, options.updateTag, { id: sent.activityId }).catch(() => undefined);
    }
    return sent;
  }
}

/**
 * The web chat page: the message is added to the shared Direct Line buffer, where the page's next
 * poll (to any instance) finds it. A tagged message is added again under the first one's id and
 * time, and Web Chat replaces that one where it stands.
 */
class WebChatDelivery implements ChannelDelivery {
  constructor(
    private readonly state: DirectLineState,
    private readonly appId: string | undefined,
    private readonly references: ConversationReferences,
    private readonly now: () => number,
  ) {}

  async send(reference: KeptReference, key: string, replies: Reply[], options: { updateTag?: string; known: boolean; moved: boolean }): Promise<Sent> {
    const id = reference.conversation.id;
    if (!(await this.state.get(id))) {
      // Its place in the channel was given up but the bot still has the conversation: open it
      // again, so the page finds the message when it comes back.
      if (!options.known) throw new UndeliverableError('the web chat conversation has ended or expired');
      const opened = await this.state.open({ id, userId: reference.user?.id ?? 'dl_user' });
      if (opened.outcome === 'ended') throw new UndeliverableError('the user ended this web chat conversation');
      if (opened.outcome === 'full') throw new UndeliverableError('the web chat has no room for the conversation just now');
    }
    const from = botAccount(this.appId);
    const timestamp = new Date(this.now()).toISOString();
    const stamp = (activity: unknown, extra: Record<string, unknown> = {}) => ({
      ...plain(activity),
      channelId: 'webchat',
      conversation: { id },
      from,
      ...(reference.user ? { recipient: { id: reference.user.id, role: 'user' } } : {}),
      timestamp,
      ...extra,
    });
    const append = async (activity: Record<string, unknown>) => {
      const watermark = await this.state.append(id, activity);
      if (watermark === undefined) throw new UndeliverableError('the web chat conversation has ended or expired');
      return watermark;
    };
    const [first, ...rest] = replies;
    const sent: Sent = { updated: false };
    if (first) {
      const previous = options.updateTag ? await this.references.sent(key, options.updateTag) : undefined;
      if (previous) {
        await append(stamp(toActivity(first, 'webchat'), { id: previous.id, ...(previous.timestamp ? { timestamp: previous.timestamp } : {}) }));
        sent.updated = true;
        sent.activityId = previous.id;
      } else {
        sent.activityId = directLineActivityId(id, await append(stamp(toActivity(first, 'webchat'))));
        if (options.updateTag) await this.references.rememberSent(key, options.updateTag, { id: sent.activityId, timestamp }).catch(() => undefined);
      }
    }
    for (const activity of toActivities(rest, 'webchat')) await append(stamp(activity));
    return sent;
  }
}

function describe(error: unknown): string {
  const status = (error as { statusCode?: number } | undefined)?.statusCode;
  const message = error instanceof Error ? error.message : String(error);
  return status ? `the channel answered ${status}` : `the channel could not be reached (${message.slice(0, 200)})`;
}
