import * as crypto from 'node:crypto';
import type { Logger } from 'pino';
import { Actor, AnyMachineSnapshot, createActor } from 'xstate';
import { z } from 'zod';
import {
  CommitOutcome,
  ConversationBusyError,
  ConversationStore,
  QueueFullError,
  RateLimitedError,
  StoreUnavailableError,
  TurnLease,
} from '../adapters/conversationStore';
import type { TokenBuckets } from './rateLimits';
import { ERASE_QUESTION, ERASE_QUESTION_MS, ERASED, eraseStep, KEPT } from './eraseRequests';
import { ConversationDialog, Parsed } from '../dialogs/conversation';
import { expectingFor, holdsPassword, PASSWORD_DROPPED } from '../dialogs/passwordHelp/drop';
import type { Reply } from '../dialogs/types';
import { ConversationEvent, ConversationMachine, flowSnapshot } from '../machines/conversation';
import type { FlowSession } from '../machines/flow';
import { SCHEMA_VERSION, flowVersionsOf, sessionChange, settle, upgrade } from './flowSnapshots';
import type { Flow } from './flows/types';
import type { TurnObservation } from './backOffice/turnEvents';
import type { RequestDesk } from './backOffice/requestDesk';
import { ROUTES } from '../dialogs/routing';
import { QuestionMemorySchema } from '../dialogs/questions';
import type { HandOverDesk } from './handOver';

/** Looking a request up must not hold the turn for long. */
const REQUEST_DESK_TIMEOUT_MS = 5_000;
const DESK_TIMED_OUT = 'Sorry, I cannot look that request up just now. Please try again in a minute, or contact NAS quoting the reference.';
/** Without a request store to look in: the routing table's answer. */
const requestStatusRoute = () => ROUTES.find((r) => r.id === 'requestStatus')!.answer();
/** Without a request store to hand a question to: who to contact. */
const personRoute = () => ROUTES.find((r) => r.id === 'person')!.answer();

/**
 * One turn, as data: load the conversation's snapshot, parse the message into an event, run the
 * machine until its invoked work settles, render the replies, save, and hand the replies back
 * for sending. Nothing here knows about Bot Framework: `bot/` turns activities into `TurnInput`.
 */

/** The envelope's and root machine's version (each flow's snapshot has its own: bot/flowSnapshots.ts). */
export { SCHEMA_VERSION };

/** How many recent activity ids are remembered to recognise a redelivered message. */
const REMEMBERED_ACTIVITIES = 20;
/** A user away this long is greeted with what is done and what is left. */
const RETURNING_AFTER_MS = 60 * 60 * 1000;
/** Invoked work (lookups, sends) must settle well inside a channel's retry window. */
const SETTLE_TIMEOUT_MS = 8_000;
/** Asking the channel who the user is must not hold a turn up for long. */
const IDENTIFY_TIMEOUT_MS = 3_000;
/** A lookup that failed is tried again after this long. */
const IDENTIFY_RETRY_MS = 24 * 60 * 60 * 1000;

export interface TurnInput {
  /** Channel + conversation: the same key always means the same conversation. */
  channelId: string;
  conversationId: string;
  /** The channel's activity id; a repeat of a recent one is not processed again. */
  activityId?: string;
  /** The sender's id on the channel, for the per-user rate limit. */
  userId?: string;
  kind: 'message' | 'conversationStart';
  /**
   * With `conversationStart`: the user has opened this conversation again (the terminal chat
   * started anew), so a conversation already under way says where it stands.
   */
  reopened?: boolean;
  text?: string;
  /** What a card's Action.Submit sent (`activity.value`). */
  value?: unknown;
  /** How to reach this conversation later (a Bot Framework conversation reference). */
  conversationReference?: unknown;
  /** Who the signed-in user is, when the channel can tell (asked once per conversation). */
  identify?: () => Promise<UserIdentity | undefined>;
  /**
   * Sends the turn's replies to the user. Given, the engine sends them itself after saving, so
   * that a reply the channel refuses is kept (see `deliver`).
   */
  deliver?: (replies: Reply[]) => Promise<void>;
}

/** The signed-in user, as the channel says (Teams: the member's email and user principal name). */
export interface UserIdentity {
  name?: string;
  email?: string;
  userPrincipalName?: string;
  source: 'teams';
}

const Identity = z.object({
  name: z.string().max(200).optional(),
  email: z.string().max(320).optional(),
  userPrincipalName: z.string().max(320).optional(),
  source: z.literal('teams'),
});

/**
 * 'uncertain': the store could not say whether this turn was saved (see UNCERTAIN_REPLY);
 * 'limited': over a rate limit, nothing done (the user is told once per wait).
 */
export type TurnOutcome = 'ok' | 'duplicate' | 'unavailable' | 'uncertain' | 'busy' | 'limited' | 'error';

export interface TurnResult {
  replies: Reply[];
  outcome: TurnOutcome;
  /** The stored state's etag after the turn, when it is saved (ok, duplicate). */
  etag?: string;
  /** These replies are a redelivery's copy of replies marked as never delivered. */
  replayOfUndelivered?: boolean;
}

/**
 * The replies could not be delivered and nothing was saved (or it is not known whether the turn
 * was saved): the channel should send the activity again, so the HTTP answer is a 503.
 */
export class TurnNotCompletedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TurnNotCompletedError';
  }
}

const StoredReply = z.object({
  text: z.string(),
  choices: z.array(z.string()).optional(),
  card: z.record(z.string(), z.unknown()).optional(),
});

const LastTurn = z.object({
  /** Hashed activity id. */
  activity: z.string().optional(),
  /** Hash of what was said (text and card value), to recognise the same message typed again. */
  said: z.string(),
  replies: z.array(StoredReply).max(20),
  /** The channel refused them: the same message, or its redelivery, gets them instead of a new turn. */
  undelivered: z.boolean().optional(),
});

const Envelope = z.object({
  schemaVersion: z.number().int(),
  snapshot: z.record(z.string(), z.unknown()),
  /** The version of each flow's snapshot inside `snapshot` (schema 2). */
  flowVersions: z.record(z.string(), z.number().int()).optional(),
  recentActivities: z.array(z.string()).max(100),
  lastTurnAt: z.number(),
  /** Who the user is, once the channel has said (later flows tell shared mailbox owners by it). */
  identity: Identity.optional(),
  /** When the channel was last asked who the user is, so a failing lookup is not repeated every turn. */
  identityAskedAt: z.number().optional(),
  /** The last turn's replies, sent again to a redelivery of its activity (see `deliver`). */
  lastTurn: LastTurn.optional(),
  /** When the user was asked to confirm "delete my data" (bot/eraseRequests.ts). */
  eraseAskedAt: z.number().optional(),
  /** What the questions remember between turns, without personal data (dialogs/questions/memory.ts). */
  questions: QuestionMemorySchema.optional(),
});
type Envelope = z.infer<typeof Envelope>;

export const UNAVAILABLE_REPLY: Reply = {
  text: 'Sorry, the service is briefly unavailable. Nothing you have told me is lost: please send your message again in a minute.',
};
/** The commit's fate could not be learnt: sending again might apply the answer twice. */
export const UNCERTAIN_REPLY: Reply = {
  text: 'Sorry, the service is briefly unavailable, and I could not check whether I kept your last message. Please wait a minute, then say "help": I will show you where we are before you answer again.',
};
const BUSY_REPLY: Reply = {
  text: 'I am still working on your previous message. Please send this one again in a moment.',
};
const limitedReply = (waitMs: number): Reply => ({
  text: `I answer one message at a time, and these are coming faster than I can take them. Please wait ${Math.max(1, Math.ceil(waitMs / 1000))} seconds, then send again anything I have not answered.`,
});
const FLOODED_REPLY: Reply = {
  text: 'Several of your messages are still waiting for an answer. Please wait for my replies before sending more; anything I have not answered, send again afterwards.',
};
/** A flood is told once per this long, not once per message. */
const FLOOD_NOTICE_MS = 10_000;
const ERROR_REPLY: Reply = {
  text: 'Sorry, something went wrong on my side. Nothing you have told me is lost: please try again, or say "menu".',
};

export interface EngineOptions {
  machine: ConversationMachine;
  dialog: ConversationDialog;
  store: ConversationStore;
  logger: Logger;
  now?: () => number;
  /** The flows the machine was built from: their snapshot versions and migrations. */
  flows?: readonly Flow[];
  /** Per-user message limit (in this process); the per-conversation one is the store's. */
  userRate?: TokenBuckets;
  /** Told of every saved turn, to count it for the dashboard (bot/backOffice/turnEvents.ts); must not throw or wait. */
  onTurn?: (turn: TurnObservation) => void;
  /** Answers a message about a NAS request by its reference, from the request store (bot/backOffice/requestDesk.ts). */
  requestDesk?: RequestDesk;
  /** Hands a question to a person: a NAS request of kind `question` (bot/handOver.ts). */
  handOver?: HandOverDesk;
}

/** One call, no Hash object (a turn hashes three or four values); Node before 20.12 has only createHash. */
const sha256: (value: string) => string =
  typeof crypto.hash === 'function'
    ? (value) => crypto.hash('sha256', value, 'base64url')
    : (value) => crypto.createHash('sha256').update(value).digest('base64url');

export function hashId(value: string, length = 16): string {
  return sha256(value).slice(0, length);
}

function describeState(snapshot: AnyMachineSnapshot | undefined): string {
  if (!snapshot) return 'new';
  const root = JSON.stringify(snapshot.value);
  const child = flowSnapshot(snapshot);
  return child ? `${root}/${JSON.stringify(child.value)}` : root;
}

/** Conversations kept running in this process between turns (the most recently used). */
const LIVE_CONVERSATIONS = 2_000;

interface LiveConversation {
  etag: string;
  actor: Actor<ConversationMachine>;
  envelope: Envelope;
}

/** Something put into a conversation from outside its turns (a notification: bot/notifier.ts, deliverNotification). */
export interface Delivery {
  /** Said first, as they are (e.g. "REG-7KD9QX2P is now in progress"). */
  replies?: Reply[];
  /**
   * For the conversation's machine (e.g. a NAS status change, an owner's answer): sent only when
   * the machine takes it; then what the conversation says next follows the replies, and the new
   * state is saved.
   */
  event?: ConversationEvent;
  /**
   * Also say where the conversation stands (its current question), as after a greeting; 'ifAway':
   * only when the user has been away a while (the page was reopened with its transcript).
   */
  showPosition?: boolean | 'ifAway';
  /**
   * When the event did not move it (or there was none) and a flow is waiting on a question, ask
   * it again after the replies: on the web page a new message takes the question's buttons away.
   */
  repeatPrompt?: boolean;
}

export interface DeliveryResult {
  /** 'notSent': `send` failed (the channel refused); 'busy' / 'unavailable': nothing was done. */
  outcome: 'delivered' | 'notSent' | 'busy' | 'unavailable' | 'error';
  /** The event was taken and the conversation's new state saved. */
  moved: boolean;
  /** Whether the conversation has state with the bot (it is not new or expired). */
  known: boolean;
  /** What was said (or would have been). */
  replies: Reply[];
  error?: unknown;
}

export class ConversationEngine {
  private readonly now: () => number;
  /**
   * The conversations this process committed last, still running. One is used again only while
   * the store still holds that very commit (same etag); otherwise it is restored from the store.
   * Saves parsing and restoring the snapshot on every turn.
   */
  private readonly live = new Map<string, LiveConversation>();
  /** Until when a conversation over its limits is not told again (see noticeOnce). */
  private readonly notices = new Map<string, number>();
  /** The last activity whose replies this process delivered, per conversation (see replayFor). */
  private readonly delivered = new Map<string, string>();
  /**
   * The keys of recent conversations: a turn asks for its key more than once (the bot, to keep
   * the reference; the engine), and hashing it each time is work a cold instance pays too.
   */
  private readonly keys = new Map<string, string>();

  constructor(private readonly options: EngineOptions) {
    this.now = options.now ?? Date.now;
  }

  conversationKey(input: Pick<TurnInput, 'channelId' | 'conversationId'>): string {
    const id = `${input.channelId}\u0000${input.conversationId}`;
    let key = this.keys.get(id);
    if (key === undefined) {
      key = hashId(id, 22);
      this.keys.set(id, key);
      if (this.keys.size > LIVE_CONVERSATIONS) this.keys.delete(this.keys.keys().next().value!);
    }
    return key;
  }

  async turn(input: TurnInput): Promise<TurnResult> {
    const key = this.conversationKey(input);
    const log = this.options.logger.isLevelEnabled('warn') ? this.options.logger.child({ conversation: key }) : this.options.logger;
    const result = await this.runTurn(input, key, log);
    return input.deliver ? this.deliver(input, key, result, log) : result;
  }

  private async runTurn(input: TurnInput, key: string, log: Logger): Promise<TurnResult> {
    const started = process.hrtime.bigint();
    let lease: TurnLease;
    try {
      const userWaitMs = input.userId ? this.options.userRate?.take(`${input.channelId}\u0000${input.userId}`) : undefined;
      if (userWaitMs !== undefined) throw new RateLimitedError(userWaitMs, 'user');
      lease = await this.options.store.begin(key);
    } catch (error) {
      return this.notStarted(key, error, log);
    }

    let actor: Actor<ConversationMachine> | undefined;
    let keptLive = false;
    let stateBefore = 'new';
    try {
      const cached = this.live.get(key);
      this.live.delete(key);
      const reusable = cached && lease.stored && cached.etag === lease.stored.etag;
      if (cached && !reusable) cached.actor.stop();
      const restored = reusable
        ? { actor: cached.actor, envelope: cached.envelope as Envelope | undefined, restarted: false }
        : this.restore(lease.stored?.data, log, this.session(key, input));
      actor = restored.actor;
      const envelope = restored.envelope;
      const unchanged = () => {
        // Nothing was written: the conversation stays live at the stored etag.
        if (envelope && lease.stored && !restored.restarted) keptLive = this.keepLive(key, { etag: lease.stored.etag, actor: actor!, envelope });
      };
      const activity = input.activityId ? hashId(input.activityId, 12) : undefined;
      if (activity && envelope?.recentActivities.includes(activity)) {
        await this.options.store.release(lease);
        unchanged();
        const replies = this.replayFor(key, activity, envelope);
        log.info({ outcome: 'duplicate', replayed: replies.length > 0, ms: msSince(started) }, 'turn');
        return { replies, outcome: 'duplicate', etag: lease.stored?.etag, replayOfUndelivered: replies.length > 0 && !!envelope.lastTurn?.undelivered };
      }
      // A message that looks like a password never reaches the dialogs, the machine or a log, and
      // not even its hash is kept (SPEC §2): the user is warned and asked the same again.
      const dropped = input.kind === 'message' && holdsPassword(input.text, input.value, expectingFor(flowSnapshot(actor.getSnapshot())?.value));
      const said = dropped ? 'passwordDropped' : saidHash(input);
      if (envelope?.lastTurn?.undelivered && envelope.lastTurn.said === said && input.kind === 'message' && !restored.restarted) {
        // The user never saw the answer to this very message and sent it again: that answer,
        // not the message applied a second time.
        const next: Envelope = {
          ...envelope,
          recentActivities: [...envelope.recentActivities, ...(activity ? [activity] : [])].slice(-REMEMBERED_ACTIVITIES),
          lastTurn: { ...envelope.lastTurn, activity, undelivered: false },
        };
        const saved = await this.commitOrFindOut(lease, JSON.stringify(next), log);
        if (saved.outcome !== 'saved') return this.notSaved(saved.outcome, stateBefore, started, log);
        keptLive = this.keepLive(key, { etag: saved.etag, actor, envelope: next });
        this.deliveringHere(key, activity);
        log.info({ outcome: 'ok', replayed: true, ms: msSince(started) }, 'turn');
        return { replies: envelope.lastTurn.replies as Reply[], outcome: 'ok', etag: saved.etag };
      }

      const erase = input.kind === 'message' && !restored.restarted ? eraseStep(input.text, !!envelope?.eraseAskedAt && this.now() - envelope.eraseAskedAt < ERASE_QUESTION_MS) : undefined;
      if (erase) {
        // "Delete my data": asked once, then the stored conversation is erased (or kept).
        if (erase === 'confirm') {
          await this.options.store.erase!(lease);
          this.delivered.delete(key);
          log.info({ outcome: 'erased', ms: msSince(started) }, 'turn');
          return { replies: [ERASED], outcome: 'ok' };
        }
        const position = envelope ? this.options.dialog.position(actor.getSnapshot()) : null;
        const replies =
          erase === 'ask'
            ? [ERASE_QUESTION]
            : [KEPT, ...this.options.dialog.render({ before: position, after: actor.getSnapshot(), parsed: { kind: 'greet' } }).slice(-1)];
        const { eraseAskedAt: _asked, ...rest } = envelope ?? ({} as Partial<Envelope>);
        const next: Envelope = {
          ...(envelope ? rest : { schemaVersion: SCHEMA_VERSION, snapshot: actor.getPersistedSnapshot() as unknown as Record<string, unknown> }),
          recentActivities: [...(envelope?.recentActivities ?? []), ...(activity ? [activity] : [])].slice(-REMEMBERED_ACTIVITIES),
          lastTurnAt: this.now(),
          lastTurn: { activity, said, replies: replies as z.infer<typeof StoredReply>[] },
          ...(erase === 'ask' ? { eraseAskedAt: this.now() } : {}),
        } as Envelope;
        const saved = await this.commitOrFindOut(lease, JSON.stringify(next), log);
        if (saved.outcome !== 'saved') return this.notSaved(saved.outcome, stateBefore, started, log);
        keptLive = this.keepLive(key, { etag: saved.etag, actor, envelope: next });
        this.deliveringHere(key, activity);
        return { replies, outcome: 'ok', etag: saved.etag };
      }

      const isNew = !envelope;
      // A channel may say "conversation started" more than once (Teams on reinstall): greet once.
      if (input.kind === 'conversationStart' && !isNew && !restored.restarted) {
        await this.options.store.release(lease);
        unchanged();
        if (!input.reopened) return { replies: [], outcome: 'ok' };
        // Opened again: where it stands, what is done and left (nothing changes, nothing is saved).
        const now = actor.getSnapshot();
        const replies = this.options.dialog.render({ before: this.options.dialog.position(now), after: now, parsed: { kind: 'greet' }, returning: true });
        log.info({ outcome: 'ok', reopened: true, ms: msSince(started) }, 'turn');
        return { replies, outcome: 'ok' };
      }
      const askAgain = !envelope?.identityAskedAt || this.now() - envelope.identityAskedAt > IDENTIFY_RETRY_MS;
      const asked = !envelope?.identity && input.identify !== undefined && askAgain;
      const identity = envelope?.identity ?? (asked ? await this.identify(input, log) : undefined);
      // The root machine hands who the user is and where to reach them to every flow it starts.
      const change = sessionChange(actor.getSnapshot(), this.session(key, input, identity));
      if (change) actor.send({ type: 'SESSION', session: change });
      const beforeSnapshot = actor.getSnapshot();
      stateBefore = isNew ? 'new' : describeState(beforeSnapshot);
      const before = isNew ? null : this.options.dialog.position(beforeSnapshot);
      const read: Parsed =
        input.kind === 'conversationStart'
          ? { kind: 'greet' }
          : dropped
            ? { kind: 'invalid', message: PASSWORD_DROPPED }
            : this.options.dialog.parse(input.text ?? '', beforeSnapshot, input.value, envelope?.questions);
      // A message about a NAS request is answered from the store, a question for a person becomes
      // a request to NAS; then the conversation carries on.
      const parsed: Parsed =
        read.kind === 'request'
          ? { kind: 'say', text: await this.askDesk(read, key, input.channelId, log) }
          : read.kind === 'handOver'
            ? { kind: 'say', text: await this.handOver(read, key, input, identity, log) }
            : read;
      // What the user said, as a hand-over may pass it on, read while the flow is still at its question.
      const heard = this.options.dialog.heard({ text: dropped ? '' : (input.text ?? ''), value: dropped ? undefined : input.value, parsed: read, before, dropped });
      // Whether the machine takes the event at all, decided before it is sent.
      const accepted = parsed.kind !== 'event' || canTake(beforeSnapshot, parsed.event);
      if (parsed.kind === 'event') actor.send(parsed.event);
      await settle(actor, SETTLE_TIMEOUT_MS);
      const after = actor.getSnapshot();
      if (after.status !== 'active') throw new Error(`conversation machine is ${after.status}`);

      const replies = this.options.dialog.render({
        before,
        after,
        parsed,
        accepted,
        restarted: restored.restarted,
        ...(restored.flowRestarted ? { flowRestarted: restored.flowRestarted } : {}),
        returning: !!envelope && this.now() - envelope.lastTurnAt > RETURNING_AFTER_MS,
      });
      if (dropped && replies[0]?.text !== PASSWORD_DROPPED) replies.unshift({ text: PASSWORD_DROPPED });
      const persisted = actor.getPersistedSnapshot() as unknown as Record<string, unknown>;
      const next: Envelope = {
        schemaVersion: SCHEMA_VERSION,
        snapshot: persisted,
        flowVersions: flowVersionsOf(persisted, this.options.flows ?? []),
        recentActivities: [...(envelope?.recentActivities ?? []), ...(activity ? [activity] : [])].slice(-REMEMBERED_ACTIVITIES),
        lastTurnAt: this.now(),
        ...(identity ? { identity } : {}),
        ...(asked ? { identityAskedAt: this.now() } : envelope?.identityAskedAt ? { identityAskedAt: envelope.identityAskedAt } : {}),
        lastTurn: { activity, said, replies: replies as z.infer<typeof StoredReply>[] },
        questions: this.options.dialog.remember(envelope?.questions, { heard, parsed: read, after }),
      };
      const saved = await this.commitOrFindOut(lease, JSON.stringify(next), log);
      if (saved.outcome !== 'saved') return this.notSaved(saved.outcome, stateBefore, started, log);
      keptLive = this.keepLive(key, { etag: saved.etag, actor, envelope: next });
      this.deliveringHere(key, activity);
      this.observe({
        ...(read.kind === 'answer' ? { answered: true, entry: read.answer.id } : {}),
        ...(read.kind === 'feedback' ? { feedback: { entry: read.entry, helpful: read.helpful } } : {}),
        conversationKey: key,
        channelId: input.channelId,
        isNew,
        ...(isNew ? {} : { before: beforeSnapshot, beforeFlow: before?.flow?.snapshot }),
        after,
        parsed: read.kind === 'handOver' ? read.kind : parsed.kind,
        ...(parsed.kind === 'event' ? { eventType: parsed.event.type } : {}),
      });
      if (log.isLevelEnabled('info')) log.info({ outcome: dropped ? 'passwordDropped' : 'ok', before: stateBefore, after: describeState(after), ms: msSince(started) }, 'turn');
      return { replies, outcome: 'ok', etag: saved.etag };
    } catch (error) {
      await this.options.store.release(lease);
      if (error instanceof StoreUnavailableError) {
        log.warn({ err: error, outcome: 'unavailable', before: stateBefore, ms: msSince(started) }, 'turn');
        return { replies: [UNAVAILABLE_REPLY], outcome: 'unavailable' };
      }
      log.error({ err: error, outcome: 'error', before: stateBefore, ms: msSince(started) }, 'turn failed');
      return { replies: [ERROR_REPLY], outcome: 'error' };
    } finally {
      if (!keptLive) actor?.stop();
    }
  }

  /** What to say after a commit that did not (or may not have) land(ed). */
  private notSaved(outcome: CommitOutcome, stateBefore: string, started: bigint, log: Logger): TurnResult {
    log.warn({ outcome, before: stateBefore, ms: msSince(started) }, 'turn');
    return outcome === 'notSaved' ? { replies: [UNAVAILABLE_REPLY], outcome: 'unavailable' } : { replies: [UNCERTAIN_REPLY], outcome: 'uncertain' };
  }

  /**
   * Sends the replies. A reply the channel refuses after the turn was saved is kept: the
   * conversation is marked so that a redelivery of the activity, or the same message sent again,
   * gets it (instead of the answer being applied twice), and the HTTP answer stays 200. When
   * nothing was saved, or it is not known whether it was, the channel is asked to send the
   * activity again (TurnNotCompletedError: a 503), which the activity id makes safe.
   */
  private async deliver(input: TurnInput, key: string, result: TurnResult, log: Logger): Promise<TurnResult> {
    const saved = (result.outcome === 'ok' || result.outcome === 'duplicate') && result.etag !== undefined;
    if (result.replies.length > 0) {
      try {
        await input.deliver!(result.replies);
      } catch (error) {
        this.delivered.delete(key);
        if (!saved) throw new TurnNotCompletedError('the reply could not be delivered and the turn was not saved', { cause: error });
        log.warn({ err: error }, 'reply not delivered; kept for a redelivery or the same message again');
        await this.markUndelivered(key, result.etag!, true, log);
        return result;
      }
      if (result.outcome === 'duplicate') {
        // A redelivery got the replies: they are delivered now.
        this.deliveringHere(key, input.activityId ? hashId(input.activityId, 12) : undefined);
        if (result.replayOfUndelivered) await this.markUndelivered(key, result.etag!, false, log);
      }
    }
    if (result.outcome === 'uncertain') throw new TurnNotCompletedError('it is not known whether the turn was saved');
    return result;
  }

  /** Records on the stored conversation whether its last replies reached the user (best effort). */
  private async markUndelivered(key: string, etag: string, undelivered: boolean, log: Logger): Promise<void> {
    let lease: TurnLease | undefined;
    try {
      lease = await this.options.store.begin(key, { limited: false });
      const envelope = lease.stored?.etag === etag ? parseEnvelope(lease.stored.data) : undefined;
      if (!envelope?.lastTurn) return await this.options.store.release(lease);
      const marked: Envelope = { ...envelope, lastTurn: { ...envelope.lastTurn, undelivered } };
      const newEtag = await this.options.store.commit(lease, JSON.stringify(marked));
      lease = undefined;
      const live = this.live.get(key);
      if (live?.etag === etag) this.live.set(key, { ...live, etag: newEtag, envelope: marked });
    } catch (error) {
      if (lease) await this.options.store.release(lease);
      log.warn({ err: error, undelivered }, 'could not record whether the reply was delivered');
    }
  }

  /**
   * The replies a redelivered activity gets: the last turn's, when it is that turn's activity,
   * unless this process is known to have delivered them (then the channel's copy is a retry
   * racing a turn that answered). Never lost: at worst an answer shows twice.
   */
  private replayFor(key: string, activity: string, envelope: Envelope): Reply[] {
    const last = envelope.lastTurn;
    if (!last || last.activity !== activity) return [];
    if (!last.undelivered && this.delivered.get(key) === activity) return [];
    return last.replies as Reply[];
  }

  /** This process saved the turn of `activity` and is delivering its replies. */
  private deliveringHere(key: string, activity: string | undefined): void {
    this.delivered.delete(key);
    if (!activity) return;
    this.delivered.set(key, activity);
    if (this.delivered.size > LIVE_CONVERSATIONS) this.delivered.delete(this.delivered.keys().next().value!);
  }

  /**
   * A turn that could not begin: over a rate limit or a flooded queue (the user is told once per
   * wait, so a flood is not answered message for message), busy, or the store unavailable.
   */
  private notStarted(key: string, error: unknown, log: Logger): TurnResult {
    if (error instanceof RateLimitedError) {
      log.warn({ outcome: 'limited', scope: error.scope, retryAfterMs: error.retryAfterMs }, 'turn not started');
      return { replies: this.noticeOnce(key, limitedReply(error.retryAfterMs), Math.max(error.retryAfterMs, 1_000)), outcome: 'limited' };
    }
    const busy = error instanceof ConversationBusyError;
    log.warn({ err: error, outcome: busy ? 'busy' : 'unavailable' }, 'turn not started');
    if (error instanceof QueueFullError) return { replies: this.noticeOnce(key, FLOODED_REPLY, FLOOD_NOTICE_MS), outcome: 'busy' };
    return busy ? { replies: [BUSY_REPLY], outcome: 'busy' } : { replies: [UNAVAILABLE_REPLY], outcome: 'unavailable' };
  }

  /** `reply`, unless this conversation was given a notice less than `forMs` ago (this process). */
  private noticeOnce(key: string, reply: Reply, forMs: number): Reply[] {
    const now = this.now();
    if ((this.notices.get(key) ?? 0) > now) return [];
    this.notices.delete(key);
    this.notices.set(key, now + forMs);
    if (this.notices.size > LIVE_CONVERSATIONS) this.notices.delete(this.notices.keys().next().value!);
    return [reply];
  }

  /**
   * Commits, and when the store failed or did not answer in time, finds out whether the commit
   * landed before anything is said: a turn is either saved or not, never "maybe". The user is
   * told to send again only when nothing was saved (else their answer would be applied twice).
   */
  private async commitOrFindOut(lease: TurnLease, data: string, log: Logger): Promise<{ outcome: CommitOutcome; etag: string }> {
    try {
      return { outcome: 'saved', etag: await this.options.store.commit(lease, data) };
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      const outcome = (await this.options.store.commitOutcome?.(lease)) ?? 'unknown';
      log.warn({ err: error, commit: outcome }, 'commit failed or timed out; outcome checked');
      // A commit that landed used the turn's token as its etag.
      return { outcome, etag: lease.token };
    }
  }

  private async askDesk(asked: Extract<Parsed, { kind: 'request' }>, conversationKey: string, channelId: string, log: Logger): Promise<string> {
    const desk = this.options.requestDesk;
    if (!desk) return requestStatusRoute();
    try {
      return await Promise.race([
        desk({ ...(asked.reference ? { reference: asked.reference } : {}), text: asked.text, ...(asked.answer !== undefined ? { answer: asked.answer } : {}), conversationKey, channelId }),
        new Promise<string>((resolve) => setTimeout(() => resolve(DESK_TIMED_OUT), REQUEST_DESK_TIMEOUT_MS).unref()),
      ]);
    } catch (error) {
      log.warn({ err: error }, 'request desk failed');
      return DESK_TIMED_OUT;
    }
  }

  private async handOver(asked: Extract<Parsed, { kind: 'handOver' }>, conversationKey: string, input: TurnInput, identity: UserIdentity | undefined, log: Logger): Promise<string> {
    const desk = this.options.handOver;
    if (!desk) return personRoute();
    try {
      return await Promise.race([
        desk({
          handOver: asked.handOver,
          conversationKey,
          channelId: input.channelId,
          conversationReference: input.conversationReference ?? null,
          ...(identity?.email ? { email: identity.email } : {}),
        }),
        new Promise<string>((resolve) => setTimeout(() => resolve(personRoute()), REQUEST_DESK_TIMEOUT_MS).unref()),
      ]);
    } catch (error) {
      log.warn({ err: error }, 'hand-over failed');
      return personRoute();
    }
  }

  private observe(turn: TurnObservation): void {
    try {
      this.options.onTurn?.(turn);
    } catch {
      // What watches the turns never changes them.
    }
  }

  private keepLive(key: string, conversation: LiveConversation): true {
    this.live.set(key, conversation);
    if (this.live.size > LIVE_CONVERSATIONS) {
      const [oldest] = this.live.keys();
      this.live.get(oldest!)?.actor.stop();
      this.live.delete(oldest!);
    }
    return true;
  }

  /**
   * Delivers into a conversation between its turns, under its lease, so that it never races a
   * turn: turns of the same conversation wait (on any instance) until `send` has been called with
   * what to say and the new state (when an event moved it) is saved. `send` puts the replies on
   * the channel; when it throws, the state change is still saved (the machine has moved: NAS's
   * change is real) and the outcome is 'notSent', so the caller can tell the user another way.
   */
  async deliverNotification(
    conversation: Pick<TurnInput, 'channelId' | 'conversationId'>,
    delivery: Delivery,
    send: (replies: Reply[], context: { known: boolean; moved: boolean }) => Promise<void>,
  ): Promise<DeliveryResult> {
    const key = this.conversationKey(conversation);
    const log = this.options.logger.child({ conversation: key, delivery: true });
    let lease: TurnLease;
    try {
      // A notification is not a message of the user's: it neither meets nor spends their rate limit.
      lease = await this.options.store.begin(key, { limited: false });
    } catch (error) {
      const busy = error instanceof ConversationBusyError;
      log.warn({ err: error, outcome: busy ? 'busy' : 'unavailable' }, 'delivery not started');
      return { outcome: busy ? 'busy' : 'unavailable', moved: false, known: false, replies: [], error };
    }
    let actor: Actor<ConversationMachine> | undefined;
    let keptLive = false;
    let committed = false;
    try {
      const cached = this.live.get(key);
      this.live.delete(key);
      const reusable = cached && lease.stored && cached.etag === lease.stored.etag;
      if (cached && !reusable) cached.actor.stop();
      const session = this.session(key, { ...conversation, kind: 'message' });
      const restored = reusable ? { actor: cached.actor, envelope: cached.envelope as Envelope | undefined, restarted: false } : this.restore(lease.stored?.data, log, session);
      actor = restored.actor;
      const envelope = restored.restarted ? undefined : restored.envelope;
      const rendered: Reply[] = [];
      let moved = false;
      if (envelope) {
        const beforeSnapshot = actor.getSnapshot();
        const before = this.options.dialog.position(beforeSnapshot);
        if (delivery.event && canTake(beforeSnapshot, delivery.event)) {
          actor.send(delivery.event);
          await settle(actor, SETTLE_TIMEOUT_MS);
          const after = actor.getSnapshot();
          if (after.status !== 'active') throw new Error(`conversation machine is ${after.status}`);
          rendered.push(...this.options.dialog.render({ before, after, parsed: { kind: 'event', event: delivery.event }, accepted: true }));
          moved = true;
        } else if (delivery.showPosition && (delivery.showPosition !== 'ifAway' || this.now() - envelope.lastTurnAt > RETURNING_AFTER_MS)) {
          rendered.push(...this.options.dialog.render({ before, after: beforeSnapshot, parsed: { kind: 'greet' }, returning: true }));
        } else if (delivery.repeatPrompt && before.flow && !before.flow.menuOpen) {
          rendered.push(before.flow.dialog.prompt(before.flow.snapshot));
        }
      }
      const replies = [...(delivery.replies ?? []), ...rendered];
      let sendError: unknown;
      try {
        if (replies.length > 0) await send(replies, { known: !!envelope, moved });
      } catch (error) {
        sendError = error ?? new Error('the channel refused the delivery');
        log.warn({ err: error }, 'delivery not sent');
      }
      if (moved && envelope) {
        // A notification is not the user's turn: when they last spoke, and their last turn's
        // replies (for a redelivery), stay as they were.
        const persisted = actor.getPersistedSnapshot() as unknown as Record<string, unknown>;
        const next: Envelope = { ...envelope, schemaVersion: SCHEMA_VERSION, snapshot: persisted, flowVersions: flowVersionsOf(persisted, this.options.flows ?? []) };
        committed = true;
        const saved = await this.commitOrFindOut(lease, JSON.stringify(next), log);
        if (saved.outcome === 'saved') keptLive = this.keepLive(key, { etag: saved.etag, actor, envelope: next });
        else return { outcome: 'unavailable', moved: false, known: true, replies, error: sendError };
      } else {
        await this.options.store.release(lease);
        if (envelope && lease.stored) keptLive = this.keepLive(key, { etag: lease.stored.etag, actor, envelope });
      }
      log.info({ outcome: sendError ? 'notSent' : 'delivered', moved }, 'delivery');
      return { outcome: sendError ? 'notSent' : 'delivered', moved, known: !!envelope, replies, ...(sendError ? { error: sendError } : {}) };
    } catch (error) {
      if (!committed) await this.options.store.release(lease);
      const unavailable = error instanceof StoreUnavailableError;
      log.warn({ err: error }, 'delivery failed');
      return { outcome: unavailable ? 'unavailable' : 'error', moved: false, known: false, replies: [], error };
    } finally {
      if (!keptLive) actor?.stop();
    }
  }

  /** Asks the channel who the user is; a failed or slow lookup leaves the identity unknown. */
  private async identify(input: TurnInput, log: Logger): Promise<UserIdentity | undefined> {
    if (!input.identify) return undefined;
    try {
      const found = await Promise.race([
        input.identify(),
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), IDENTIFY_TIMEOUT_MS).unref()),
      ]);
      const parsed = Identity.safeParse(found);
      return parsed.success && (parsed.data.email || parsed.data.userPrincipalName) ? parsed.data : undefined;
    } catch (error) {
      log.warn({ err: error }, 'could not learn who the user is');
      return undefined;
    }
  }

  /** Who the user of a conversation is, if the channel has said (for flows and for tests). */
  async identityOf(input: Pick<TurnInput, 'channelId' | 'conversationId'>): Promise<UserIdentity | undefined> {
    const lease = await this.options.store.begin(this.conversationKey(input), { limited: false });
    await this.options.store.release(lease);
    return lease.stored ? parseEnvelope(lease.stored.data)?.identity : undefined;
  }

  /**
   * The stored conversation as a running actor, brought up to date (bot/flowSnapshots.ts).
   * Anything that cannot be restored (corrupt JSON, an unknown schema version, states that no
   * longer exist) starts a fresh conversation instead; a flow whose snapshot cannot be carried
   * over to its current version is dropped alone (`flowRestarted`).
   */
  private restore(
    data: string | undefined,
    log: Logger,
    session: FlowSession,
  ): { actor: Actor<ConversationMachine>; envelope?: Envelope; restarted: boolean; flowRestarted?: string } {
    if (data !== undefined) {
      const envelope = parseEnvelope(data);
      const upgraded = envelope && upgrade(envelope, this.options.flows ?? [], session);
      if (!envelope) {
        log.warn({ reason: 'unreadable' }, 'stored conversation discarded');
      } else if (!upgraded) {
        log.warn({ reason: 'schemaVersion', found: envelope.schemaVersion }, 'stored conversation discarded');
      } else {
        const actor = this.startActor(upgraded.snapshot, session);
        if (actor) {
          if (upgraded.flowRestarted) log.warn({ reason: 'flowVersion', flow: upgraded.flowRestarted }, 'stored flow discarded');
          return { actor, envelope, restarted: false, ...(upgraded.flowRestarted ? { flowRestarted: upgraded.flowRestarted } : {}) };
        }
        log.warn({ reason: 'unrestorable' }, 'stored conversation discarded');
      }
      // Keep the activity history so a redelivery is still recognised.
      const fresh = this.startActor(undefined, session)!;
      const kept = envelope ? { ...envelope, snapshot: {}, lastTurnAt: this.now() } : undefined;
      return { actor: fresh, envelope: kept, restarted: true };
    }
    return { actor: this.startActor(undefined, session)!, restarted: false };
  }

  /** The conversation as the root machine hands it to flows. */
  private session(conversationKey: string, input: TurnInput, user?: UserIdentity): FlowSession {
    return {
      channelId: input.channelId,
      conversationKey,
      conversationReference: input.conversationReference ?? null,
      ...(user ? { user } : {}),
    };
  }

  /** A restored conversation must be one the dialogs can talk about (its context intact). */
  private canSpeak(snapshot: AnyMachineSnapshot): boolean {
    try {
      const { flow } = this.options.dialog.position(snapshot);
      if (flow) {
        flow.dialog.prompt(flow.snapshot);
        flow.dialog.progress(flow.snapshot);
      }
      return true;
    } catch {
      return false;
    }
  }

  private startActor(snapshot: Record<string, unknown> | undefined, session: FlowSession): Actor<ConversationMachine> | undefined {
    let failed = false;
    try {
      const actor = createActor(this.options.machine, snapshot ? { snapshot: snapshot as never, input: session } : { input: session });
      // Without an error observer XState rethrows actor errors asynchronously, which would
      // take the whole process down.
      actor.subscribe({ error: () => (failed = true) });
      actor.start();
      const current = actor.getSnapshot();
      const value = current.value as unknown;
      const inFlow = typeof value === 'object' && value !== null && 'inFlow' in value;
      if (failed || current.status !== 'active' || (inFlow && flowSnapshot(current)?.status !== 'active') || !this.canSpeak(current)) {
        actor.stop();
        return undefined;
      }
      return actor;
    } catch {
      return undefined;
    }
  }
}

/** Whether a transition would be taken: for a flow's event, by the flow in progress. */
function canTake(snapshot: AnyMachineSnapshot, event: ConversationEvent): boolean {
  if (event.type !== 'TO_FLOW') return snapshot.can(event);
  return snapshot.can(event) && (flowSnapshot(snapshot)?.can(event.event) ?? false);
}

/** What the user said, as a short hash: the same message typed again has the same one. */
function saidHash(input: TurnInput): string {
  const text = (input.text ?? '').trim().toLowerCase().replace(/\s+/g, ' ');
  return hashId(`${input.kind}\u0000${text}\u0000${JSON.stringify(input.value ?? null)}`, 12);
}

function parseEnvelope(data: string): Envelope | undefined {
  try {
    const result = Envelope.safeParse(JSON.parse(data));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

function msSince(started: bigint): number {
  return Number((process.hrtime.bigint() - started) / 1000n) / 1000;
}
