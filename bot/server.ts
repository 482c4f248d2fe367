import {
  Activity,
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationBotFrameworkAuthenticationOptions,
  TurnContext,
} from 'botbuilder';
import {
  AuthenticateRequestResult,
  AuthenticationConstants,
  AuthenticationError,
  BotFrameworkAuthentication,
  ServiceClientCredentialsFactory,
} from 'botframework-connector';
import type { Logger } from 'pino';
import * as restify from 'restify';
import type { ConversationStore } from '../adapters/conversationStore';
import { Config, serviceUrlHosts } from './config';
import type { CareAssistantBot } from './bot';
import { registerWebChat, WebChatSetup } from './directLine';
import { TurnNotCompletedError } from './engine';
import { checkActivity, IncomingActivity } from './activities';
import { BackOfficeSetup, registerBackOffice } from './backOffice';
import { GuardedAuthentication, hostAllowed, hostOf, OutboundPolicy } from './outbound';

export const MAX_BODY_BYTES = 256 * 1024;

/** Test seams: where channel tokens' OpenID metadata is read, and how outbound calls are signed. */
export interface AdapterOverrides {
  /** OpenID metadata of channel tokens (and Emulator tokens); default Bot Framework's. */
  openIdMetadataUrl?: string;
  /** Issuer of channel tokens; default https://api.botframework.com. */
  tokenIssuer?: string;
  credentialsFactory?: ServiceClientCredentialsFactory;
}

/**
 * CloudAdapter with authentication and the turn as two steps, so that a failure of each can be
 * answered as what it is (401, 503, 500) instead of CloudAdapter's 500 with the error's message.
 */
export class CareAssistantAdapter extends CloudAdapter {
  constructor(
    private readonly authentication: BotFrameworkAuthentication,
    /** Where replies may go and how long a call may take (bot/outbound.ts). */
    readonly outbound: OutboundPolicy,
  ) {
    super(authentication);
  }

  authenticate(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    return this.authentication.authenticateRequest(activity, authHeader);
  }

  runTurn(authenticated: AuthenticateRequestResult, activity: Activity, logic: (context: TurnContext) => Promise<void>) {
    return this.processActivity(authenticated, activity, logic);
  }
}

export function createAdapter(config: Config, logger: Logger, overrides: AdapterOverrides = {}): CareAssistantAdapter {
  const auth: ConfigurationBotFrameworkAuthenticationOptions = config.MicrosoftAppId
    ? {
        MicrosoftAppId: config.MicrosoftAppId,
        MicrosoftAppPassword: config.MicrosoftAppPassword,
        MicrosoftAppType: config.MicrosoftAppType,
        MicrosoftAppTenantId: config.MicrosoftAppTenantId,
      }
    : {};
  if (overrides.openIdMetadataUrl || overrides.tokenIssuer) {
    // Setting any of these means setting them all (BotFrameworkAuthenticationFactory).
    Object.assign(auth, {
      ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
      ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
      ToBotFromChannelTokenIssuer: overrides.tokenIssuer ?? AuthenticationConstants.ToBotFromChannelTokenIssuer,
      OAuthUrl: AuthenticationConstants.OAuthUrl,
      ToBotFromChannelOpenIdMetadataUrl: overrides.openIdMetadataUrl ?? AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
      ToBotFromEmulatorOpenIdMetadataUrl: overrides.openIdMetadataUrl ?? AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
      CallerId: CallerIdConstants.PublicAzureChannel,
    });
  }
  if (!config.MicrosoftAppId) {
    logger.warn('MicrosoftAppId is not set: requests are NOT authenticated (Emulator mode). Never expose this beyond this machine.');
  }
  const outbound: OutboundPolicy = { allowedHosts: serviceUrlHosts(config), timeoutMs: config.OUTBOUND_TIMEOUT_MS };
  const authentication = new GuardedAuthentication(new ConfigurationBotFrameworkAuthentication(auth, overrides.credentialsFactory), outbound, logger);
  const adapter = new CareAssistantAdapter(authentication, outbound);
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    logger.error({ err: error, channelId: context.activity.channelId }, 'turn error');
    // The HTTP answer is decided in createServer: a 503 (send it again) or a 500.
    throw error;
  };
  return adapter;
}

/** An authentication failure that is the service's, not the caller's: metadata or keys unreachable. */
function authServiceUnavailable(error: unknown): boolean {
  const e = error as { statusCode?: number; name?: string; code?: string; type?: string };
  if (e instanceof AuthenticationError) return (e.statusCode ?? 401) >= 500;
  if (e?.name === 'FetchError' || e?.name === 'AbortError' || e?.type === 'system') return true;
  return ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH'].includes(e?.code ?? '');
}

/**
 * Invokes the assistant has no use for are still answered as Bot Framework expects: 200 with an
 * invoke response (an Adaptive Card Action.Execute gets a message saying what to do instead).
 */
function invokeResponse(activity: IncomingActivity): { status: number; body: unknown } {
  if (activity.name === 'healthCheck') return { status: 200, body: { healthResults: { success: true, messages: ['Health check succeeded'] } } };
  if (activity.name === 'adaptiveCard/action') {
    return {
      status: 200,
      body: {
        statusCode: 200,
        type: 'application/vnd.microsoft.activity.message',
        value: 'This button is not used any more. Please answer my latest message, or type "help".',
      },
    };
  }
  return { status: 200, body: {} };
}

export interface ServerParts {
  adapter: CloudAdapter;
  bot: CareAssistantBot;
  store: ConversationStore;
  logger: Logger;
  /** The web chat page and its Direct Line channel (bot/directLine): their state, on or off. */
  webChat?: WebChatSetup;
  /** Idle keep-alive and header timeouts (see HTTP_KEEP_ALIVE_TIMEOUT_MS); defaults as configured by default. */
  http?: { keepAliveTimeoutMs: number; headersTimeoutMs: number };
  /** The NAS back office (bot/backOffice): on when NAS_API_TOKENS is set. */
  backOffice?: BackOfficeSetup;
}

export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 245_000;

export function createServer(parts: ServerParts): restify.Server {
  const { adapter, bot, store, logger } = parts;
  const server = restify.createServer({ name: 'nhsmail-care-assistant', handleUncaughtExceptions: false });
  // Node closes idle keep-alive sockets after 5 s: a load balancer reusing one gets a reset.
  const http = parts.http ?? { keepAliveTimeoutMs: DEFAULT_KEEP_ALIVE_TIMEOUT_MS, headersTimeoutMs: DEFAULT_KEEP_ALIVE_TIMEOUT_MS + 5_000 };
  server.server.keepAliveTimeout = http.keepAliveTimeoutMs;
  server.server.headersTimeout = http.headersTimeoutMs;
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
    const checked = checkActivity(req.body);
    if ('problem' in checked) {
      res.send(400, { error: checked.problem });
      return;
    }
    const activity = checked.activity as unknown as Activity;
    if (!(adapter instanceof CareAssistantAdapter)) {
      await adapter.process(req, res, (context) => bot.run(context));
      return;
    }
    if (!hostAllowed(checked.activity.serviceUrl, adapter.outbound.allowedHosts)) {
      logger.warn({ host: hostOf(checked.activity.serviceUrl), channelId: activity.channelId }, 'request refused: serviceUrl host not allowed');
      res.send(403, { error: 'replies cannot be sent to this serviceUrl host (see SERVICE_URL_HOSTS)' });
      return;
    }
    const header = req.headers.authorization;
    let authenticated: AuthenticateRequestResult;
    try {
      authenticated = await adapter.authenticate(activity, typeof header === 'string' ? header : '');
    } catch (error) {
      if (authServiceUnavailable(error)) {
        logger.error({ err: error }, 'cannot check the token: the OpenID metadata or signing keys cannot be fetched');
        res.send(503, { error: 'the request cannot be authenticated right now; try again later' });
      } else {
        logger.warn({ reason: (error as Error)?.message, channelId: activity.channelId }, 'request refused: not authenticated');
        res.send(401, { error: 'the request is not authorized' });
      }
      return;
    }
    if (activity.type === 'invoke') {
      const answer = invokeResponse(checked.activity);
      res.send(answer.status, answer.body);
      return;
    }
    try {
      const answer = await adapter.runTurn(authenticated, activity, (context) => bot.run(context));
      res.send(answer?.status ?? 200, answer?.body ?? undefined);
    } catch (error) {
      // Logged by onTurnError. Nothing saved and the reply lost (or not known): send it again.
      if (error instanceof TurnNotCompletedError) res.send(503, { error: 'the message could not be handled; send it again' });
      else res.send(500, { error: 'the message could not be handled' });
    }
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
  registerBackOffice(server, parts.backOffice);

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
