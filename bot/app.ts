import type { Logger } from 'pino';
import type { ConversationStore } from '../adapters/conversationStore';
import { MemoryConversationStore } from '../adapters/memoryConversationStore';
import { createRedisClient, RedisConversationStore, waitUntilReady } from '../adapters/redisConversationStore';
import { ConversationDialog } from '../dialogs/conversation';
import { createConversationMachine } from '../machines/conversation';
import { CareAssistantBot } from './bot';
import type { Config } from './config';
import { ConversationEngine } from './engine';
import { FLOWS } from './flows';

/** Everything the assistant needs, wired from configuration: memory by default, Redis with REDIS_URL. */
export interface Assistant {
  engine: ConversationEngine;
  store: ConversationStore;
  bot: CareAssistantBot;
  /** Resolves when the state store can be used (rejects after a few seconds if it cannot). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function createAssistant(config: Config, logger: Logger, now: () => number = Date.now): Assistant {
  const ttlMs = config.STATE_TTL_DAYS * 24 * 60 * 60 * 1000;
  let store: ConversationStore;
  let closeStore: () => Promise<void>;
  let ready: () => Promise<void> = async () => {};
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
    ready = () => waitUntilReady(redis);
    closeStore = async () => {
      redis.disconnect();
    };
  } else {
    store = new MemoryConversationStore({ ttlMs }, now);
    closeStore = () => store.close();
  }
  const machine = createConversationMachine(FLOWS.map((f) => ({ id: f.dialog.id, machine: f.machine })));
  const dialog = new ConversationDialog(FLOWS.map((f) => f.dialog));
  const engine = new ConversationEngine({ machine, dialog, store, logger, now });
  return { engine, store, bot: new CareAssistantBot(engine), ready, close: closeStore };
}
