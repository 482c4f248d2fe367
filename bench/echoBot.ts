import { ActivityHandler, MessageFactory } from 'botbuilder';
import type { ConversationStore } from '../adapters/conversationStore';
import type { CareAssistantBot } from '../bot/bot';
import { loadConfigOrExit } from '../bot/config';
import { createLogger } from '../bot/logger';
import { createAdapter, createServer } from '../bot/server';
import { ECHO_GREETING, echoText } from './echoReplies';

/**
 * The benchmark's baseline: a bare Bot Framework echo bot on exactly the HTTP stack the assistant
 * uses (restify 11, bodyParser, the same activity checks, CloudAdapter with the same
 * authentication setup; `createAdapter` and `createServer` from bot/server.ts), with no machine
 * and no store. One reply per turn: "You said: <text>", or a greeting when a user joins.
 *
 *   PORT=3979 LOG_LEVEL=warn node dist/bench/echoBot.js
 *
 * Started by bench/run.ts as a child process; not part of the product.
 */

export class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(MessageFactory.text(echoText(context.activity.text ?? '')));
      await next();
    });
    // The assistant greets on conversationUpdate; so does the echo bot, so both answer every turn.
    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      const humans = (context.activity.membersAdded ?? []).filter((member) => member.id !== botId);
      if (humans.length > 0) await context.sendActivity(MessageFactory.text(ECHO_GREETING));
      await next();
    });
  }
}

/** No state: `/readyz` is always ready and a turn never touches a store. */
const NO_STORE: ConversationStore = {
  begin: () => Promise.reject(new Error('the echo bot has no store')),
  commit: () => Promise.reject(new Error('the echo bot has no store')),
  release: () => Promise.resolve(),
  ping: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

function main(): void {
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL);
  const adapter = createAdapter(config, logger);
  // createServer only calls `bot.run(context)`; the cast lets the echo bot stand in for the
  // assistant so the HTTP path (body parsing, activity checks, error handling) is identical.
  const bot = new EchoBot() as unknown as CareAssistantBot;
  const server = createServer({ adapter, bot, store: NO_STORE, logger });
  // Loopback only: the baseline is never reachable from elsewhere.
  server.listen(config.PORT, '127.0.0.1', () => logger.info({ port: config.PORT }, 'echo bot listening'));

  const stop = () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) main();
