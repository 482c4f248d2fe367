import type { Logger } from 'pino';
import type { ConversationStore } from '../adapters/conversationStore';
import { MemoryConversationStore } from '../adapters/memoryConversationStore';
import { createRedisClient, RedisConversationStore } from '../adapters/redisConversationStore';
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
  close(): Promise<void>;
}

export function createAssistant(config: Config, logger: Logger, now: () => number = Date.now): Assistant {
  const ttlMs = config.STATE_TTL_DAYS * 24 * 60 * 60 * 1000;
  let store: ConversationStore;
  let closeStore: () => Promise<void>;
  if (config.REDIS_URL) {
    const redis = createRedisClient(config.REDIS_URL);
    redis.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection problem'));
    store = new RedisConversationStore(redis, { ttlMs });
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
  return { engine, store, bot: new CareAssistantBot(engine), close: closeStore };
}
