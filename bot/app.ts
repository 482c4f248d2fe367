import type { Logger } from 'pino';
import type { ConversationStore } from '../adapters/conversationStore';
import { MemoryConversationStore } from '../adapters/memoryConversationStore';
import { createRedisClient, RedisConversationStore, waitUntilReady } from '../adapters/redisConversationStore';
import { ConversationDialog } from '../dialogs/conversation';
import { createConversationMachine } from '../machines/conversation';
import { CareAssistantBot } from './bot';
import type { Config } from './config';
import { ConversationEngine } from './engine';
import { EmbeddedOrganisationDirectory } from '../adapters/embeddedOrganisationDirectory';
import { MemoryNasRequests } from '../adapters/memoryNasRequests';
import { MemoryOneTimePasscodes } from '../adapters/memoryOneTimePasscodes';
import { MemoryOutbox } from '../adapters/memoryOutbox';
import { RedisNasRequests } from '../adapters/redisNasRequests';
import { RedisOneTimePasscodes } from '../adapters/redisOneTimePasscodes';
import { RedisOutbox } from '../adapters/redisOutbox';
import { FLOWS, FlowAdapters } from './flows';
import { TokenBuckets } from './rateLimits';

/** Everything the assistant needs, wired from configuration: memory by default, Redis with REDIS_URL. */
export interface Assistant {
  engine: ConversationEngine;
  store: ConversationStore;
  adapters: FlowAdapters;
  bot: CareAssistantBot;
  /** Resolves when the state store can be used (rejects after a few seconds if it cannot). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** The conversation machine and dialog for the flows in bot/flows.ts, with their effects. */
export function buildConversation(adapters: FlowAdapters) {
  return {
    machine: createConversationMachine(FLOWS.map((f) => ({ id: f.dialog.id, machine: f.machine(adapters) }))),
    dialog: new ConversationDialog(FLOWS.map((f) => f.dialog)),
  };
}

/** The embedded default: everything in this process's memory. */
export function memoryAdapters(
  now: () => number = Date.now,
  directory = new EmbeddedOrganisationDirectory(),
  outboxJournal?: string,
  outboxRetentionMs?: number,
): FlowAdapters {
  return {
    directory,
    passcodes: new MemoryOneTimePasscodes({ now }),
    outbox: new MemoryOutbox({ now, journal: outboxJournal, retentionMs: outboxRetentionMs }),
    requests: new MemoryNasRequests({ now }),
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
    adapters = {
      directory,
      passcodes: new RedisOneTimePasscodes(redis, { now }),
      outbox: new RedisOutbox(redis, { now, retentionMs: outboxRetentionMs }),
      requests: new RedisNasRequests(redis, { now }),
    };
    ready = async () => {
      await waitUntilReady(redis);
      // Whole messages the earlier version kept in the outbox without end (passcodes included).
      void (adapters.outbox as RedisOutbox)
        .forgetOldContent()
        .then((removed) => removed && logger.info({ removed }, 'outbox: removed content kept past its retention'))
        .catch((error: Error) => logger.warn({ err: error }, 'outbox: could not remove old content'));
    };
    closeStore = async () => {
      await store.close();
      redis.disconnect();
    };
  } else {
    store = new MemoryConversationStore({ ttlMs, ...limits }, now);
    adapters = memoryAdapters(now, directory, options.outboxJournal, outboxRetentionMs);
    closeStore = () => store.close();
  }
  const { machine, dialog } = buildConversation(adapters);
  const userRate = new TokenBuckets({ perMinute: config.USER_RATE_LIMIT_PER_MINUTE, burst: config.USER_RATE_LIMIT_BURST }, now);
  const engine = new ConversationEngine({ machine, dialog, store, logger, now, userRate });
  return { engine, store, adapters, bot: new CareAssistantBot(engine), ready, close: closeStore };
}
