import { MemoryConversationStore } from '../../adapters/memoryConversationStore';
import { ConversationEngine } from '../../bot/engine';
import { buildConversation, memoryAdapters } from '../../bot/app';
import { createLogger } from '../../bot/logger';
const { machine, dialog } = buildConversation(memoryAdapters());
it('size', async () => {
  const store = new MemoryConversationStore({ ttlMs: 60_000 });
  const engine = new ConversationEngine({ machine, dialog, store, logger: createLogger('silent') });
  let n = 0;
  for (const text of ['register', 'care', 'no', 'yes', 'no', 'no', 'email']) await engine.turn({ channelId: 'test', conversationId: 'c', activityId: `a${++n}`, kind: 'message', text });
  const key = engine.conversationKey({ channelId: 'test', conversationId: 'c' });
  const lease = await store.begin(key);
  await store.release(lease);
  const env = JSON.parse(lease.stored!.data);
  console.log(lease.stored!.data.length, JSON.stringify(env.questions).length, JSON.stringify(env.questions, null, 1), JSON.stringify(env.lastTurn).length);
});
