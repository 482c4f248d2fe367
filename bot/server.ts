import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationBotFrameworkAuthenticationOptions,
  TurnContext,
} from 'botbuilder';
import type { Logger } from 'pino';
import * as restify from 'restify';
import type { ConversationStore } from '../adapters/conversationStore';
import type { Config } from './config';
import type { CareAssistantBot } from './bot';
import { registerWebChat, WebChatSetup } from './directLine';
import { TurnNotCompletedError } from './engine';

export const MAX_BODY_BYTES = 256 * 1024;

export function createAdapter(config: Config, logger: Logger): CloudAdapter {
  const auth: ConfigurationBotFrameworkAuthenticationOptions = config.MicrosoftAppId
    ? {
        MicrosoftAppId: config.MicrosoftAppId,
        MicrosoftAppPassword: config.MicrosoftAppPassword,
        MicrosoftAppType: config.MicrosoftAppType,
        MicrosoftAppTenantId: config.MicrosoftAppTenantId,
      }
    : {};
  if (!config.MicrosoftAppId) {
    logger.warn('MicrosoftAppId is not set: requests are NOT authenticated (Emulator mode). Never expose this beyond this machine.');
  }
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(auth));
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    logger.error({ err: error, channelId: context.activity.channelId }, 'turn error');
    // Nothing saved and the reply lost: the channel must send the activity again (a 5xx).
    if (error instanceof TurnNotCompletedError) throw error;
  };
  return adapter;
}

/** What makes a body an activity worth handing to the adapter. */
function activityProblem(body: unknown): string | undefined {
  if (body === undefined || body === null || body === '') return 'the body is empty; send a JSON activity';
  if (typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) return 'the body must be a JSON object (an activity)';
  const activity = body as Record<string, unknown>;
  if (typeof activity.type !== 'string' || !activity.type) return 'the activity has no "type"';
  const conversation = activity.conversation as Record<string, unknown> | undefined;
  if (typeof conversation?.id !== 'string' || !conversation.id) return 'the activity has no "conversation.id"';
  if (typeof activity.serviceUrl !== 'string' || !URL.canParse(activity.serviceUrl)) return 'the activity has no valid "serviceUrl"';
  if (typeof activity.channelId !== 'string' || !activity.channelId) return 'the activity has no "channelId"';
  return undefined;
}

export interface ServerParts {
  adapter: CloudAdapter;
  bot: CareAssistantBot;
  store: ConversationStore;
  logger: Logger;
  /** The web chat page and its Direct Line channel (bot/directLine): their state, on or off. */
  webChat?: WebChatSetup;
}

export function createServer(parts: ServerParts): restify.Server {
  const { adapter, bot, store, logger } = parts;
  const server = restify.createServer({ name: 'nhsmail-care-assistant', handleUncaughtExceptions: false });
  // Channels never compress what they post. restify's body reader would inflate a "gzip" body
  // without an error handler (a bad one crashes the process) and count only the compressed bytes
  // against the size limit, so compressed bodies are refused before any of it is read.
  server.pre((req, res, next) => {
    const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity' && encoding !== '') {
      res.send(415, { error: 'compressed bodies are not accepted; send the activity as plain JSON' });
      return next(false);
    }
    const type = String(req.headers['content-type'] ?? '').toLowerCase();
    if (req.method === 'POST' && req.url?.startsWith('/api/messages') && !type.includes('json')) {
      res.send(415, { error: 'the body must be JSON (Content-Type: application/json)' });
      return next(false);
    }
    return next();
  });
  server.use(
    restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false, mapFiles: false, rejectUnknown: false }),
  );

  server.post('/api/messages', async (req, res) => {
    const problem = activityProblem(req.body);
    if (problem) {
      res.send(400, { error: problem });
      return;
    }
    await adapter.process(req, res, (context) => bot.run(context));
  });

  server.get('/healthz', async (_req, res) => {
    res.send(200, { status: 'ok' });
  });

  server.get('/readyz', async (_req, res) => {
    try {
      await store.ping();
      res.send(200, { status: 'ready' });
    } catch {
      res.send(503, { status: 'unavailable', reason: 'the conversation store cannot be reached' });
    }
  });

  // The web chat page (GET /) and its Direct Line channel, served here: see bot/directLine.ts.
  registerWebChat(server, parts);

  // Errors raised by restify itself (bad JSON, too large, unknown route) keep their status and
  // get a short reason; anything unexpected is logged and answered without crashing.
  server.on('restifyError', (req, res, error, callback) => {
    const status = error.statusCode ?? 500;
    const reasons: Record<number, string> = {
      400: 'the body is not valid JSON',
      413: `the body is larger than ${MAX_BODY_BYTES / 1024} KiB`,
      415: 'the body must be JSON (Content-Type: application/json)',
    };
    if (status >= 500) logger.error({ err: error, path: req.path() }, 'request failed');
    error.toJSON = () => ({ error: reasons[status] ?? error.message });
    return callback();
  });
  return server;
}
