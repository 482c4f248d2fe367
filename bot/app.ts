import type { Logger } from 'pino';
import type { ConversationStore } from '../adapters/conversationStore';
import { MemoryConversationStore } from '../adapters/memoryConversationStore';
import { createRedisClient, RedisConversationStore, waitUntilReady } from '../adapters/redisConversationStore';
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
import { randomUUID } from 'node:crypto';
import { assign } from 'xstate';
import { FLOWS, Flow, FlowAdapters } from './flows';
import type { DirectLineState } from '../adapters/directLineState';
import { MemoryDirectLineState } from '../adapters/memoryDirectLineState';
import { RedisDirectLineState } from '../adapters/redisDirectLineState';
import type { WebChatSetup } from './directLine';
import { TokenBuckets } from './rateLimits';

/** Everything the assistant needs, wired from configuration: memory by default, Redis with REDIS_URL. */
export interface Assistant {
  engine: ConversationEngine;
  store: ConversationStore;
  adapters: FlowAdapters;
  bot: CareAssistantBot;
  /** The web chat page's channel: its state (shared by every instance with Redis), whether it is on. */
  webChat: WebChatSetup & { state: DirectLineState };
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
  return { machine, dialog: new ConversationDialog(flows.map((f) => f.dialog)), flows };
}

/** The embedded default: everything in this process's memory. */
export function memoryAdapters(
  now: () => number = Date.now,
  directory = new EmbeddedOrganisationDirectory(),
  outboxJournal?: string,
  requestOptions: Omit<NasRequestsOptions, 'now'> = {},
): FlowAdapters {
  return {
    directory,
    passcodes: new MemoryOneTimePasscodes({ now }),
    outbox: new MemoryOutbox({ now, journal: outboxJournal }),
    requests: new MemoryNasRequests({ ...requestOptions, now }),
  };
}

export interface AssistantOptions {
  /** In memory, also journal the outbox to this file (for `npm run outbox`). */
  outboxJournal?: string;
}

export function createAssistant(config: Config, logger: Logger, now: () => number = Date.now, options: AssistantOptions = {}): Assistant {
  const ttlMs = config.STATE_TTL_DAYS * 24 * 60 * 60 * 1000;
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
  if (config.REDIS_URL) {
    // Reconnection attempts fail about once a second during an outage: log one in thirty.
    let lastLogged = 0;
    const redis = createRedisClient(config.REDIS_URL, {
      onError: (error) => {
        if (Date.now() - lastLogged < 30_000) return;
        lastLogged = Date.now();
        logger.warn({ err: error }, 'Redis cannot be reached; retrying');
      },
    });
    store = new RedisConversationStore(redis, { ttlMs, ...limits });
    directLineState = new RedisDirectLineState(redis, { now, limits: { ttlMs } });
    adapters = {
      directory,
      passcodes: new RedisOneTimePasscodes(redis, { now }),
      outbox: new RedisOutbox(redis, { now }),
      requests: new RedisNasRequests(redis, { now, retentionDays: config.NAS_RETENTION_DAYS, logger }),
    };
    ready = () => waitUntilReady(redis);
    closeStore = async () => {
      await store.close();
      redis.disconnect();
    };
  } else {
    store = new MemoryConversationStore({ ttlMs, ...limits }, now);
    directLineState = new MemoryDirectLineState({ now, limits: { ttlMs } });
    adapters = memoryAdapters(now, directory, options.outboxJournal, { retentionDays: config.NAS_RETENTION_DAYS, logger });
    closeStore = () => store.close();
  }
  const { machine, dialog, flows } = buildConversation(adapters);
  const userRate = new TokenBuckets({ perMinute: config.USER_RATE_LIMIT_PER_MINUTE, burst: config.USER_RATE_LIMIT_BURST }, now);
  const engine = new ConversationEngine({ machine, dialog, store, logger, now, userRate, flows });
  const webChat = { enabled: webChatEnabled(config), state: directLineState, appId: config.MicrosoftAppId, trustedProxies: config.WEBCHAT_TRUSTED_PROXIES };
  const stopRetention = scheduleRetention(adapters.requests, logger);
  const close = async () => {
    stopRetention();
    await closeStore();
  };
  return { engine, store, adapters, bot: new CareAssistantBot(engine), webChat, ready, close };
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
