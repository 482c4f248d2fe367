import type { Logger } from 'pino';
import type { ConversationStore } from '../adapters/conversationStore';
import { MemoryConversationStore } from '../adapters/memoryConversationStore';
import { RedisConversationStore } from '../adapters/redisConversationStore';
import { createRedis, redisTopology, waitUntilReady } from '../adapters/redis';
import { ConversationDialog } from '../dialogs/conversation';
import { createConversationMachine } from '../machines/conversation';
import { CareAssistantBot } from './bot';
import { Config, webChatEnabled } from './config';
import { ConversationEngine } from './engine';
import { EmbeddedOrganisationDirectory } from '../adapters/embeddedOrganisationDirectory';
import { MemoryNasRequests, type NasRequestsOptions } from '../adapters/memoryNasRequests';
import type { NasRequests } from '../adapters/nasRequests';
import { MemoryOneTimePasscodes } from '../adapters/memoryOneTimePasscodes';
import { MemoryOutbox } from '../adapters/memoryOutbox';
import { RedisNasRequests } from '../adapters/redisNasRequests';
import { RedisOneTimePasscodes } from '../adapters/redisOneTimePasscodes';
import { RedisOutbox } from '../adapters/redisOutbox';
import { randomBytes, randomUUID } from 'node:crypto';
import { assign } from 'xstate';
import { FLOWS, Flow, FlowAdapters } from './flows';
import type { DirectLineState } from '../adapters/directLineState';
import { MemoryDirectLineState } from '../adapters/memoryDirectLineState';
import { RedisDirectLineState } from '../adapters/redisDirectLineState';
import type { WebChatSetup } from './directLine';
import type { ConversationReferences } from '../adapters/conversationReferences';
import { MemoryConversationReferences } from '../adapters/memoryConversationReferences';
import { RedisConversationReferences } from '../adapters/redisConversationReferences';
import { Notifier } from './notifier';
import { createAdapter } from './server';
import { TokenBuckets } from './rateLimits';
import type { ServiceEvents } from '../adapters/serviceEvents';
import type { BackOfficeSetup } from './backOffice';
import { backOfficeSetup, countingAdapters, createServiceEvents } from './backOffice/wiring';
import { createTellRequester } from './backOffice/tellRequester';
import { countTurn } from './backOffice/turnEvents';
import { createRequestDesk } from './backOffice/requestDesk';
import { createHandOverDesk } from './handOver';
import { BackOffice } from './backOffice/service';
import { EmbeddedAccountDirectory } from '../adapters/embeddedAccountDirectory';
import { MemoryVerificationCodes } from '../adapters/memoryVerificationCodes';
import { RedisVerificationCodes } from '../adapters/redisVerificationCodes';
import { MemoryResetVouches } from '../adapters/resetVouches';
import { RedisResetVouches } from '../adapters/redisResetVouches';
import type { RedisClient } from '../adapters/redisCalls';
import type { Proactive } from './flows/passwordHelp';

/**
 * Everything the assistant needs, wired from configuration: memory by default, Redis with
 * REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS (one client for every adapter).
 */
export interface Assistant {
  engine: ConversationEngine;
  store: ConversationStore;
  adapters: FlowAdapters;
  bot: CareAssistantBot;
  /** The web chat page's channel: its state (shared by every instance with Redis), whether it is on. */
  webChat: WebChatSetup & { state: DirectLineState };
  /** How to reach each conversation later (kept as long as its state). */
  references: ConversationReferences;
  /** Messages and events to other conversations (CONTRACTS §7). */
  notifier: Notifier;
  /** The dashboard's counters (bot/backOffice), and the NAS back office (off without NAS_API_TOKENS). */
  events: ServiceEvents;
  backOffice: BackOfficeSetup;
  /** Resolves when the state store can be used (rejects after a few seconds if it cannot). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The conversation machine and dialog for the flows in bot/flows/, each flow's machine with its
 * effects done with the adapters, and a random attempt id each time a flow starts.
 */
export function buildConversation(adapters: FlowAdapters, flows: readonly Flow[] = FLOWS) {
  const machine = createConversationMachine(flows.map((f) => ({ id: f.id, machine: f.machine.provide(f.services(adapters)) }))).provide({
    actions: { newAttempt: assign({ attemptId: () => randomUUID() }) as never },
  });
  return { machine, dialog: new ConversationDialog(flows.map((f) => f.dialogFor?.(adapters) ?? f.dialog)), flows };
}

/** The embedded default: everything in this process's memory. */
export function memoryAdapters(
  now: () => number = Date.now,
  directory = new EmbeddedOrganisationDirectory(),
  outboxJournal?: string,
  requestOptions: Omit<NasRequestsOptions, 'now'> = {},
  outboxRetentionMs?: number,
): FlowAdapters {
  return {
    directory,
    passcodes: new MemoryOneTimePasscodes({ now }),
    outbox: new MemoryOutbox({ now, journal: outboxJournal, retentionMs: outboxRetentionMs }),
    requests: new MemoryNasRequests({ ...requestOptions, now }),
    ...passwordHelpAdapters(now),
  };
}

/** The shipped NHSmail accounts, read once per process (the data set is read-only). */
let shippedAccounts: EmbeddedAccountDirectory | undefined;
const accountDirectory = () => (shippedAccounts ??= new EmbeddedAccountDirectory());

/** What password help adds: in memory, or in Redis (shared by every instance) with its secret from the shared web chat key. */
function passwordHelpAdapters(now: () => number, redis?: { client: RedisClient; secret: () => Promise<Buffer> }) {
  const secret = randomBytes(32);
  return {
    accounts: accountDirectory(),
    verificationCodes: redis ? new RedisVerificationCodes(redis.client, { now }) : new MemoryVerificationCodes({ now }),
    vouches: redis ? new RedisResetVouches(redis.client, { now }) : new MemoryResetVouches({ now }),
    secret: redis ? redis.secret : async () => secret,
    now,
  };
}

export interface AssistantOptions {
  /** In memory, also journal the outbox to this file (for `npm run outbox`). */
  outboxJournal?: string;
}

export function createAssistant(config: Config, logger: Logger, now: () => number = Date.now, options: AssistantOptions = {}): Assistant {
  const ttlMs = config.STATE_TTL_DAYS * 24 * 60 * 60 * 1000;
  const outboxRetentionMs = config.OUTBOX_RETENTION_HOURS * 60 * 60 * 1000;
  // Floods: per conversation in the store (across instances), per user in this process.
  const limits = {
    queueMax: config.CONVERSATION_QUEUE_MAX,
    rate: { perMinute: config.RATE_LIMIT_PER_MINUTE, burst: config.RATE_LIMIT_BURST },
  };
  let store: ConversationStore;
  let closeStore: () => Promise<void>;
  let ready: () => Promise<void> = async () => {};
  const directory = new EmbeddedOrganisationDirectory();
  let adapters: FlowAdapters;
  let directLineState: DirectLineState;
  let references: ConversationReferences;
  // A day longer than the state: a reference is saved again at most twice a day (bot/bot.ts).
  const referencesTtlMs = ttlMs + 24 * 60 * 60 * 1000;
  let events: ServiceEvents;
  const topology = redisTopology(config);
  if (topology) {
    // Reconnection attempts fail about once a second during an outage: log one in thirty.
    let lastLogged = 0;
    const redis = createRedis(topology, {
      onError: (error) => {
        if (Date.now() - lastLogged < 30_000) return;
        lastLogged = Date.now();
        logger.warn({ err: error }, 'Redis cannot be reached; retrying');
      },
    });
    store = new RedisConversationStore(redis, { ttlMs, ...limits });
    directLineState = new RedisDirectLineState(redis, { now, limits: { ttlMs } });
    references = new RedisConversationReferences(redis, { ttlMs: referencesTtlMs, now });
    const redisOutbox = new RedisOutbox(redis, { now, retentionMs: outboxRetentionMs });
    adapters = {
      directory,
      passcodes: new RedisOneTimePasscodes(redis, { now }),
      outbox: redisOutbox,
      requests: new RedisNasRequests(redis, { now, retentionDays: config.NAS_RETENTION_DAYS, logger }),
      // The web chat's signing key is made once and shared by every instance: a fit secret for password help too.
      ...passwordHelpAdapters(now, { client: redis, secret: () => directLineState.signingKey() }),
    };
    events = createServiceEvents(redis, logger, now);
    let forgetting: Promise<unknown> = Promise.resolve();
    const stopForgetting = new AbortController();
    ready = async () => {
      await waitUntilReady(redis);
      // Whole messages the first version kept in the outbox without end (passcodes included).
      forgetting = redisOutbox
        .forgetOldContent(stopForgetting.signal)
        .then((removed) => removed && logger.info({ removed }, 'outbox: removed content kept past its retention'))
        .catch((error: Error) => logger.warn({ err: error }, 'outbox: could not remove old content'));
    };
    closeStore = async () => {
      // Stop the clean-up between two commands rather than cut its connection (npm run nas is short-lived).
      stopForgetting.abort();
      await forgetting;
      await store.close();
      redis.disconnect();
    };
  } else {
    store = new MemoryConversationStore({ ttlMs, ...limits }, now);
    directLineState = new MemoryDirectLineState({ now, limits: { ttlMs } });
    references = new MemoryConversationReferences({ ttlMs: referencesTtlMs, now });
    adapters = memoryAdapters(now, directory, options.outboxJournal, { retentionDays: config.NAS_RETENTION_DAYS, logger }, outboxRetentionMs);
    events = createServiceEvents(undefined, logger, now);
    closeStore = () => store.close();
  }
  const proactive: Proactive = { references };
  adapters = { ...countingAdapters(adapters, events), events, proactive };
  const { machine, dialog, flows } = buildConversation(adapters);
  const userRate = new TokenBuckets({ perMinute: config.USER_RATE_LIMIT_PER_MINUTE, burst: config.USER_RATE_LIMIT_BURST }, now);
  // The back office is made after the engine (its notifier needs the engine): looked up when asked.
  let office: BackOffice | undefined;
  const engine = new ConversationEngine({
    machine, dialog, store, logger, now, userRate, flows,
    onTurn: (turn) => countTurn(events, turn),
    requestDesk: createRequestDesk(() => office),
    handOver: createHandOverDesk(adapters.requests, now),
  });
  // Proactive messages reach Bot Framework channels through an adapter of their own (made when
  // first needed, so a process that never notifies makes none) and web chat through its state.
  let proactiveAdapter: ReturnType<typeof createAdapter> | undefined;
  const notifier = new Notifier({
    engine,
    references,
    outbox: adapters.outbox,
    logger,
    now,
    webChat: { state: directLineState, appId: config.MicrosoftAppId },
    botFramework: { adapter: () => (proactiveAdapter ??= createAdapter(config, logger)), appId: config.MicrosoftAppId },
  });
  // Password help asks owners in their own chats and tells requesters the answer.
  proactive.notifier = notifier;
  const webChat: Assistant['webChat'] = {
    enabled: webChatEnabled(config),
    state: directLineState,
    appId: config.MicrosoftAppId,
    trustedProxies: config.WEBCHAT_TRUSTED_PROXIES,
    // A page back in a conversation: where it stands (with its transcript still there, only after a while away).
    onReopened: (conversation, how) =>
      void notifier.showPosition({ conversationReference: webChatReference(conversation, config.MicrosoftAppId) }, { onlyIfAway: how.transcriptKept }),
  };
  const bot = new CareAssistantBot(engine, { references, logger });
  const stopRetention = scheduleRetention(adapters.requests, logger);
  const backOffice = backOfficeSetup(config, { requests: adapters.requests, outbox: adapters.outbox, events, tellRequester: createTellRequester(notifier) }, logger, now);
  office = new BackOffice(backOffice);
  const close = async () => {
    stopRetention();
    await events.close();
    await closeStore();
  };
  return { engine, store, adapters, bot, webChat, references, notifier, events, backOffice, ready, close };
}

/** A web chat conversation's reference, as its turns have it (the service URL is never used). */
function webChatReference(conversation: { id: string; userId: string }, appId: string | undefined) {
  return {
    channelId: 'webchat',
    serviceUrl: 'http://127.0.0.1/directline/connector',
    conversation: { id: conversation.id },
    user: { id: conversation.userId },
    bot: { id: appId ?? 'nhsmail-care-assistant' },
  };
}

/** How often finished NAS requests past their retention are looked for (every instance may do it). */
const PURGE_EVERY_MS = 6 * 60 * 60 * 1000;

/** Deletes expired NAS requests now and then; a failure is logged and tried again next time. */
function scheduleRetention(requests: NasRequests, logger: Logger): () => void {
  const timer = setInterval(() => {
    requests.purgeExpired().catch((err: unknown) => logger.warn({ err }, 'NAS requests past their retention could not be deleted; trying again later'));
  }, PURGE_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
