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
import { randomUUID } from 'node:crypto';
import { assign } from 'xstate';
import { FLOWS, Flow, FlowAdapters } from './flows';

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
): FlowAdapters {
  return {
    directory,
    passcodes: new MemoryOneTimePasscodes({ now }),
    outbox: new MemoryOutbox({ now, journal: outboxJournal }),
    requests: new MemoryNasRequests({ now }),
  };
}

export interface AssistantOptions {
  /** In memory, also journal the outbox to this file (for `npm run outbox`). */
  outboxJournal?: string;
}

export function createAssistant(config: Config, logger: Logger, now: () => number = Date.now, options: AssistantOptions = {}): Assistant {
  const ttlMs = config.STATE_TTL_DAYS * 24 * 60 * 60 * 1000;
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
    store = new RedisConversationStore(redis, { ttlMs });
    adapters = {
      directory,
      passcodes: new RedisOneTimePasscodes(redis, { now }),
      outbox: new RedisOutbox(redis, { now }),
      requests: new RedisNasRequests(redis, { now }),
    };
    ready = () => waitUntilReady(redis);
    closeStore = async () => {
      redis.disconnect();
    };
  } else {
    store = new MemoryConversationStore({ ttlMs }, now);
    adapters = memoryAdapters(now, directory, options.outboxJournal);
    closeStore = () => store.close();
  }
  const { machine, dialog, flows } = buildConversation(adapters);
  const engine = new ConversationEngine({ machine, dialog, store, logger, now, flows });
  return { engine, store, adapters, bot: new CareAssistantBot(engine), ready, close: closeStore };
}
