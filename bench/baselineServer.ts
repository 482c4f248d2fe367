import type { ActivityHandler } from 'botbuilder';
import type { ConversationStore } from '../adapters/conversationStore';
import type { CareAssistantBot } from '../bot/bot';
import { loadConfigOrExit } from '../bot/config';
import { createLogger } from '../bot/logger';
import { createAdapter, createServer } from '../bot/server';

/**
 * How the benchmark's reference bots (the echo bot, the waterfall bot) are served: on exactly
 * the HTTP stack the assistant uses (restify 11, bodyParser, the same activity checks, CloudAdapter
 * with the same authentication setup: `createAdapter` and `createServer` from bot/server.ts), on
 * 127.0.0.1 only, stopped by SIGTERM. Their own state, if any, is theirs (no conversation store).
 */

/** No store: `/readyz` is always ready and a turn never touches one. */
const NO_STORE: ConversationStore = {
  begin: () => Promise.reject(new Error('a reference bot has no conversation store')),
  commit: () => Promise.reject(new Error('a reference bot has no conversation store')),
  release: () => Promise.resolve(),
  ping: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

export function serveReferenceBot(bot: ActivityHandler, name: string): void {
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL);
  const adapter = createAdapter(config, logger);
  // createServer only calls `bot.run(context)`; the cast lets a reference bot stand in for the
  // assistant so the HTTP path (body parsing, activity checks, error handling) is identical.
  const server = createServer({ adapter, bot: bot as unknown as CareAssistantBot, store: NO_STORE, logger });
  server.listen(config.PORT, '127.0.0.1', () => logger.info({ port: config.PORT }, `${name} listening`));
  const stop = () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
