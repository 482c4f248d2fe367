import { createHash } from 'node:crypto';

/**
 * How to reach a conversation later, outside its turns (a NAS status change, a shared mailbox
 * owner asked to vouch): the Bot Framework conversation reference of each conversation, kept for
 * as long as its state (STATE_TTL_DAYS, sliding) and with the same care: ids only, never names,
 * and the people's addresses only as hashes in the index that finds a person's conversations.
 *
 * Beside it, per conversation, what the notifier needs to deliver exactly once and to update a
 * message in place: the activities it sent under a tag (a request's status card), and the
 * idempotency keys of notifications already delivered.
 */

/** A conversation reference without anything personal: enough for continueConversationAsync. */
export interface KeptReference {
  channelId: string;
  serviceUrl: string;
  conversation: { id: string; conversationType?: string; tenantId?: string; isGroup?: boolean };
  /** The user's channel id (Teams: "29:…"), never their name. */
  user?: { id: string };
  bot: { id: string };
  locale?: string;
}

/** An activity the notifier sent, to be updated in place later. */
export interface SentActivity {
  id: string;
  /** When it was first sent (the web page keeps an updated message where the first one was). */
  timestamp?: string;
}

export interface ConversationReferencesOptions {
  /** How long a reference is kept after it was last saved (the conversation state's TTL). */
  ttlMs: number;
  now?: () => number;
}

export interface ConversationReferences {
  /**
   * Keeps (or refreshes) how to reach conversation `key`. `addresses` (email, user principal
   * name) index the conversation under the person, so another flow can reach them.
   */
  save(key: string, reference: KeptReference, addresses?: readonly string[]): Promise<void>;
  get(key: string): Promise<KeptReference | undefined>;
  /** The person's conversations (by email or UPN, any case), most recently saved first. */
  findByUser(address: string, channelId?: string): Promise<{ key: string; reference: KeptReference }[]>;
  /** Remembers the activity sent under `tag` in conversation `key` (replacing an earlier one). */
  rememberSent(key: string, tag: string, sent: SentActivity): Promise<void>;
  sent(key: string, tag: string): Promise<SentActivity | undefined>;
  /** True the first time `id` is claimed for conversation `key`, false after (until it expires). */
  claim(key: string, id: string): Promise<boolean>;
  /** Gives a claim back (a delivery that could not be made may be tried again). */
  unclaim(key: string, id: string): Promise<void>;
  /** Everything kept for the conversation ("delete my data"). */
  forget(key: string): Promise<void>;
}

/** How a person is indexed: a hash of the address as typed in any case (addresses are personal data). */
export function userIndexKey(address: string): string {
  return createHash('sha256').update(address.trim().toLowerCase()).digest('base64url').slice(0, 22);
}

/**
 * The part of a Bot Framework conversation reference that is kept; undefined when it lacks what
 * a delivery needs (a channel, a service URL, a conversation id, the bot's id).
 */
export function keptReference(reference: unknown): KeptReference | undefined {
  if (typeof reference !== 'object' || reference === null) return undefined;
  const r = reference as Record<string, unknown>;
  const conversation = r.conversation as Record<string, unknown> | undefined;
  const bot = r.bot as Record<string, unknown> | undefined;
  const user = r.user as Record<string, unknown> | undefined;
  const text = (value: unknown, max = 512) => (typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined);
  const channelId = text(r.channelId, 64);
  const serviceUrl = text(r.serviceUrl, 2048);
  const conversationId = text(conversation?.id, 1024);
  const botId = text(bot?.id, 256);
  if (!channelId || !serviceUrl || !conversationId || !botId) return undefined;
  const kept: KeptReference = {
    channelId,
    serviceUrl,
    conversation: {
      id: conversationId,
      ...(text(conversation?.conversationType, 64) ? { conversationType: String(conversation!.conversationType) } : {}),
      ...(text(conversation?.tenantId, 128) ? { tenantId: String(conversation!.tenantId) } : {}),
      ...(typeof conversation?.isGroup === 'boolean' ? { isGroup: conversation.isGroup } : {}),
    },
    bot: { id: botId },
  };
  if (text(user?.id, 256)) kept.user = { id: String(user!.id) };
  if (text(r.locale, 35)) kept.locale = String(r.locale);
  return kept;
}
