import { httpTimeouts, listenHost, loadConfigOrExit, outboxFile } from './config';
import { createAssistant } from './app';
import { describeTopology, redisTopology } from '../adapters/redis';
import { createLogger } from './logger';
import { createAdapter, createServer } from './server';

/** `npm start`: the assistant as a Bot Framework service on restify. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.LOG_LEVEL);
  const assistant = createAssistant(config, logger, Date.now, { outboxJournal: outboxFile(config) });
  const adapter = createAdapter(config, logger);
  const server = createServer({ adapter, bot: assistant.bot, store: assistant.store, logger, webChat: assistant.webChat, backOffice: assistant.backOffice, http: httpTimeouts(config) });
  // Serve even when Redis is not there yet: turns then say the service is briefly unavailable,
  // /readyz answers 503, and the connection is retried until it works.
  await assistant.ready().catch((error: Error) => logger.warn({ err: error }, 'starting before the state store is ready'));

  const host = listenHost(config);
  server.listen(config.PORT, host, () => {
    logger.info(
      { port: config.PORT, host, state: describeTopology(redisTopology(config)) },
      `listening on http://localhost:${config.PORT}/api/messages`,
    );
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    server.close(() => {
      void assistant.close().finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
}

void main();
