import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Activity, TurnContext } from 'botbuilder';
import {
  AuthenticateRequestResult,
  AuthenticationConstants,
  ClaimsIdentity,
  ConnectorClient,
  ConnectorFactory,
  TokenCredentials,
} from 'botframework-connector';
import type * as restify from 'restify';
import { StoreUnavailableError } from '../../adapters/conversationStore';
import { activityId, DirectLineConversation, DirectLineState } from '../../adapters/directLineState';
import { MemoryDirectLineState } from '../../adapters/memoryDirectLineState';
import type { ServerParts } from '../server';
import {
  bearerToken,
  clientActivity,
  HttpProblem,
  ID_PATTERN,
  isObject,
  localeOf,
  optionalObject,
  userIdOf,
  watermarkOf,
} from './requests';
import { scrubbed } from '../../dialogs/passwordHelp/drop';
import { clientKey } from './clientAddress';
import { TokenClaims, TokenSigner } from './tokens';

/**
 * The web chat page's channel: the small part of the Direct Line 3.0 protocol that the stock
 * `botframework-directlinejs` client inside Web Chat uses (tokens, start/reconnect, polling for
 * activities, posting activities), served by the bot's own restify server. No Azure.
 *
 *   page ──POST /v3/directline/conversations/:id/activities──▶ this module
 *        ──adapter.processActivityDirect (channelId 'webchat')──▶ the same CloudAdapter and bot
 *   bot  ──connector client: POST {serviceUrl}/v3/conversations/:id/activities──▶ this module
 *        (serviceUrl = this server + /directline/connector) ──appended──▶ page polls GET …/activities
 *
 * Everything a page needs between requests is in the DirectLineState (memory, or Redis shared by
 * every instance): tokens are signed with the state's key, conversations, watermarks and the
 * activity buffer are stored there. Any instance answers any request of any page; only a turn in
 * progress belongs to the instance that received the activity (its replies come back to that
 * instance's connector and go into the shared buffer).
 *
 * Trust: the Direct Line tokens are the trust boundary. Anyone who can reach the server can ask
 * for a token (as anyone can open a public web chat); a token gives access to exactly one
 * conversation, whose id is random. Turns are handed to the adapter with an authentication
 * result built here (the request was authenticated by its Direct Line token, not by a Bot
 * Framework JWT), so this works the same with and without MicrosoftAppId. The bot's replies
 * travel through a connector client made here, which signs with a random secret of this process
 * instead of an Azure AD token: the connector routes accept that secret and nothing else, so no
 * one else can put words in the bot's mouth, and nothing needs the internet. See README.
 *
 * With MicrosoftAppId set, the identity handed to the adapter must name that app id (the adapter's
 * user token client refuses any other): pass `appId` (bot/config.ts's MicrosoftAppId); without it,
 * it is read from the environment. Azure AD is never called.
 *
 * ConnectorClient, ConnectorFactory, ClaimsIdentity and TokenCredentials come from
 * botframework-connector, which botbuilder depends on (same version) but does not re-export.
 */

export const DIRECT_LINE_PATH = '/v3/directline';
export const CONNECTOR_PATH = '/directline/connector';
export const CHANNEL_ID = 'webchat';

/** Limits of this instance's handling of requests; what is stored is bounded by the state's limits. */
export interface DirectLineLimits {
  /** Largest activity the page may post, in bytes of JSON. */
  maxActivityBytes: number;
  /** Activities of one conversation waiting for the bot (in this instance) before posting gets 429. */
  maxPendingTurns: number;
  /** Lifetime of a Direct Line token; a refresh gives a new one (Web Chat refreshes every 15 minutes). */
  tokenTtlMs: number;
  /** How long posting an activity waits for the bot's turn before answering anyway. */
  turnWaitMs: number;
}

export const DEFAULT_LIMITS: DirectLineLimits = {
  maxActivityBytes: 32 * 1024,
  maxPendingTurns: 5,
  tokenTtlMs: 30 * 60 * 1000,
  turnWaitMs: 15_000,
};

export interface DirectLineOptions {
  /**
   * The bot's Microsoft app id, which must match the adapter's (its user token client refuses
   * another). Defaults to MicrosoftAppId from the environment, where bot/config.ts reads it.
   */
  appId?: string;
  /** Where conversations, activities and the signing key are kept. Default: this process's memory. */
  state?: DirectLineState;
  limits?: Partial<DirectLineLimits>;
  now?: () => number;
  /** Proxies in front that append to X-Forwarded-For, for counting new conversations per client. */
  trustedProxies?: number;
  /** Told when a page comes back to a conversation the channel had let go (reopened, empty). */
  onReopened?: (conversation: { id: string; userId: string }, how: { transcriptKept: boolean }) => void;
}

/** The bot's account in web chat conversations: its app id, or a fixed name without one. */
export function botAccount(appId: string | undefined): { id: string; name: string; role: string } {
  return { id: appId ?? 'nhsmail-care-assistant', name: 'NHSmail care assistant', role: 'bot' };
}

const randomId = (bytes: number) => randomBytes(bytes).toString('base64url');

/** The connector client of Direct Line turns: to this server only, signed with this process's secret. */
class LoopbackConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly serviceUrl: () => string,
    private readonly secret: string,
  ) {
    super();
  }

  override async create(serviceUrl: string): Promise<ConnectorClient> {
    // The secret is only ever sent to this server's own connector routes.
    if (serviceUrl !== this.serviceUrl()) throw new Error('a Direct Line turn can only reply to this server');
    return new ConnectorClient(new TokenCredentials(this.secret), { baseUri: serviceUrl });
  }
}

interface Authorized {
  claims: TokenClaims;
  token: string;
}

/** The routes of the web chat page's Direct Line channel, over a (possibly shared) DirectLineState. */
export class DirectLine {
  readonly limits: DirectLineLimits;
  readonly state: DirectLineState;
  readonly appId: string | undefined;
  private readonly tokens: TokenSigner;
  /** Turns of this instance, per conversation, run one after the other in the order posted. */
  private readonly turns = new Map<string, { queue: Promise<void>; pending: number }>();
  private readonly connectorSecret = randomId(32);
  private readonly connectorSecretHash = createHash('sha256').update(this.connectorSecret).digest();
  private readonly now: () => number;
  private readonly botAccount: { id: string; name: string; role: string };
  private readonly authentication: AuthenticateRequestResult;
  private readonly trustedProxies: number;
  private readonly onReopened?: (conversation: { id: string; userId: string }, how: { transcriptKept: boolean }) => void;

  constructor(
    private readonly server: restify.Server,
    private readonly parts: ServerParts,
    options: DirectLineOptions = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.now = options.now ?? Date.now;
    this.state = options.state ?? new MemoryDirectLineState({ now: this.now });
    this.tokens = new TokenSigner(() => this.state.signingKey(), this.now);
    this.appId = (options.appId ?? process.env.MicrosoftAppId)?.trim() || undefined;
    this.botAccount = botAccount(this.appId);
    this.trustedProxies = options.trustedProxies ?? 0;
    this.onReopened = options.onReopened;
    // With an app id the adapter's user token client only accepts that id as the bot's identity;
    // without one, the anonymous identity the adapter itself gives unauthenticated requests.
    const claimsIdentity = this.appId
      ? new ClaimsIdentity(
          [
            { type: AuthenticationConstants.AudienceClaim, value: this.appId },
            { type: AuthenticationConstants.AppIdClaim, value: this.appId },
          ],
          true,
        )
      : new ClaimsIdentity([], AuthenticationConstants.AnonymousAuthType);
    this.authentication = {
      audience: AuthenticationConstants.ToChannelFromBotOAuthScope,
      claimsIdentity,
      connectorFactory: new LoopbackConnectorFactory(() => this.serviceUrl(), this.connectorSecret),
    };
  }

  /** How many conversations are held (for tests and metrics). */
  size(): Promise<number> {
    return this.state.count();
  }

  /**
   * Where the bot's connector client reaches this server: always over loopback to the port it
   * listens on (never a Host header, which the caller chooses).
   */
  serviceUrl(): string {
    const address = this.server.address() as AddressInfo | string | null;
    if (!address || typeof address === 'string') throw new Error('the server is not listening on a TCP port');
    let host = address.address;
    if (host === '::' || host === '0.0.0.0' || host === '' || host === '::ffff:0.0.0.0') host = '127.0.0.1';
    if (host.includes(':')) host = `[${host}]`;
    return `http://${host}:${address.port}${CONNECTOR_PATH}`;
  }

  register(): void {
    const route = (handler: (req: restify.Request, res: restify.Response) => Promise<void>) => async (req: restify.Request, res: restify.Response) => {
      try {
        await handler(req, res);
      } catch (error) {
        if (error instanceof HttpProblem) {
          for (const [name, value] of Object.entries(error.headers)) res.header(name, value);
          res.send(error.status, { error: error.message });
          return;
        }
        if (error instanceof StoreUnavailableError) {
          this.parts.logger.warn({ err: error, path: req.path() }, 'direct line state unavailable');
          res.header('Retry-After', '5');
          res.send(503, { error: 'the assistant cannot answer just now; try again in a moment' });
          return;
        }
        this.parts.logger.error({ err: error, path: req.path() }, 'direct line request failed');
        res.send(500, { error: 'something went wrong; try again' });
      }
    };
    const dl = DIRECT_LINE_PATH;
    this.server.post(`${dl}/tokens/generate`, route((req, res) => this.generateToken(req, res)));
    this.server.post(`${dl}/tokens/refresh`, route((req, res) => this.refreshToken(req, res)));
    this.server.post(`${dl}/tokens/resume`, route((req, res) => this.resume(req, res)));
    this.server.del(`${dl}/conversations/:conversationId`, route((req, res) => this.endConversation(req, res)));
    this.server.post(`${dl}/conversations`, route((req, res) => this.startConversation(req, res)));
    this.server.get(`${dl}/conversations/:conversationId`, route((req, res) => this.reconnect(req, res)));
    this.server.get(`${dl}/conversations/:conversationId/activities`, route((req, res) => this.getActivities(req, res)));
    this.server.post(`${dl}/conversations/:conversationId/activities`, route((req, res) => this.postActivity(req, res)));
    this.server.post(`${CONNECTOR_PATH}/v3/conversations/:conversationId/activities`, route((req, res) => this.botReply(req, res)));
    this.server.post(`${CONNECTOR_PATH}/v3/conversations/:conversationId/activities/:replyToId`, route((req, res) => this.botReply(req, res)));
  }

  // ── Direct Line routes ──────────────────────────────────────────────────────────────────────

  /** A token for a new conversation (the conversation starts with POST /conversations or a first activity). */
  private async generateToken(req: restify.Request, res: restify.Response): Promise<void> {
    const body = optionalObject(req.body);
    const userId = userIdOf(body.user) ?? `dl_${randomId(12)}`;
    // Each new conversation counts against the client's network, so one cannot take every place.
    const allowance = await this.state.takeToken(clientKey(req, this.trustedProxies));
    if (!allowance.allowed) {
      const minutes = Math.max(1, Math.ceil(allowance.retryAfterMs / 60_000));
      throw new HttpProblem(
        429,
        `too many new conversations have been started from your network; try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or carry on an existing one`,
        { 'Retry-After': String(Math.max(1, Math.ceil(allowance.retryAfterMs / 1000))) },
      );
    }
    const conversationId = randomId(16);
    res.send(200, await this.tokenBody(conversationId, userId));
  }

  private async refreshToken(req: restify.Request, res: restify.Response): Promise<void> {
    const { claims } = await this.authorize(req);
    optionalObject(req.body);
    await this.open(claims);
    res.send(200, await this.tokenBody(claims.conversationId, claims.userId));
  }

  /**
   * Coming back to a conversation with the resume token the page kept (localStorage): a new
   * Direct Line token and a new resume token, for as long as the bot keeps conversations. A
   * conversation the channel no longer holds (made room for) is opened again under the same id,
   * so the bot's own state for it (channel 'webchat' + that id) carries on; one that was ended on
   * purpose is not.
   */
  private async resume(req: restify.Request, res: restify.Response): Promise<void> {
    const token = bearerToken(req);
    if (!token) throw new HttpProblem(401, 'a resume token is needed: Authorization: Bearer <resumeToken>', { 'WWW-Authenticate': 'Bearer' });
    const body = optionalObject(req.body);
    const claims = await this.tokens.verify(token, 'resume');
    if (!claims) throw new HttpProblem(403, 'this conversation can no longer be resumed; start a new one');
    const opened = await this.state.open({ id: claims.conversationId, userId: claims.userId });
    if (opened.outcome === 'ended') throw new HttpProblem(403, 'this conversation has ended; start a new one');
    if (opened.outcome === 'full') throw new HttpProblem(503, 'too many conversations are open; try again in a few minutes', { 'Retry-After': '60' });
    res.send(200, { ...(await this.tokenBody(claims.conversationId, claims.userId)), resumed: opened.created ? 'reopened' : 'kept' });
    // Its transcript is gone, or the page was opened again after a while: the bot says where the
    // conversation stands, for the page's first poll.
    if (opened.created || body.reopened === true) this.onReopened?.({ id: claims.conversationId, userId: claims.userId }, { transcriptKept: !opened.created });
  }

  /** "Start a new conversation": this one ends for good; its tokens stop working everywhere. */
  private async endConversation(req: restify.Request, res: restify.Response): Promise<void> {
    const { claims } = await this.authorize(req, req.params.conversationId);
    await this.state.end(claims.conversationId);
    res.send(204);
  }

  /** Starts the token's conversation: the bot hears the user join (once) and greets. */
  private async startConversation(req: restify.Request, res: restify.Response): Promise<void> {
    const authorized = await this.authorize(req);
    const body = optionalObject(req.body);
    const conversation = await this.open(authorized.claims, localeOf(body.locale));
    const joined = await this.ensureStarted(conversation);
    res.send(joined ? 201 : 200, this.conversationBody(authorized));
  }

  /** Reconnecting to a conversation (Web Chat does this when it is given a conversation id). */
  private async reconnect(req: restify.Request, res: restify.Response): Promise<void> {
    const authorized = await this.authorize(req, req.params.conversationId);
    const watermark = watermarkOf(req);
    const conversation = await this.open(authorized.claims);
    if (watermark > conversation.next) throw aheadOf(watermark, conversation.next);
    await this.ensureStarted(conversation);
    res.send(200, this.conversationBody(authorized));
  }

  private async getActivities(req: restify.Request, res: restify.Response): Promise<void> {
    const { claims } = await this.authorize(req, req.params.conversationId);
    const watermark = watermarkOf(req);
    const read = await this.state.read(claims.conversationId, watermark);
    // 404 is what makes Web Chat's client say the conversation ended (the page then resumes it).
    if (read.outcome === 'ahead') throw aheadOf(watermark, read.next);
    if (read.outcome !== 'read') throw new HttpProblem(404, 'the conversation has ended or expired');
    res.header('Cache-Control', 'no-store');
    res.send(200, { activities: read.activities.map((a) => a.activity), watermark: String(read.next) });
  }

  private async postActivity(req: restify.Request, res: restify.Response): Promise<void> {
    const { claims } = await this.authorize(req, req.params.conversationId);
    const conversation = await this.open(claims);
    const activity = clientActivity(
      {
        conversationId: conversation.id,
        userId: conversation.userId,
        locale: conversation.locale,
        bot: this.botAccount,
        serviceUrl: this.serviceUrl(),
        maxActivityBytes: this.limits.maxActivityBytes,
      },
      req.body,
    );
    if ((this.turns.get(conversation.id)?.pending ?? 0) >= this.limits.maxPendingTurns) {
      throw new HttpProblem(429, 'too many activities are waiting for the bot; wait for its answer', { 'Retry-After': '2' });
    }
    await this.ensureStarted(conversation);
    activity.timestamp = new Date(this.now()).toISOString() as unknown as Date;
    // Typing is passed to the bot but not kept: nobody else is in the conversation to see it.
    if (activity.type === 'typing') {
      activity.id = `${conversation.id}|typing-${randomId(6)}`;
    } else {
      const { serviceUrl: _serviceUrl, ...shown } = activity;
      // The page shows the user's own messages from this buffer: a password never goes into it.
      const watermark = await this.state.append(conversation.id, scrubbed(shown));
      if (watermark === undefined) throw new HttpProblem(404, 'the conversation has ended or expired');
      activity.id = activityId(conversation.id, watermark);
    }
    const turn = this.enqueue(conversation.id, activity);
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<'waited'>((resolve) => {
      timer = setTimeout(() => resolve('waited'), this.limits.turnWaitMs);
      timer.unref();
    });
    try {
      await Promise.race([turn, waited]);
    } catch {
      // Logged by runTurn; the activity stays in the conversation, as it was received.
      throw new HttpProblem(502, 'the bot could not process the activity; send it again');
    } finally {
      clearTimeout(timer);
    }
    res.send(200, { id: activity.id });
  }

  // ── the bot's connector ─────────────────────────────────────────────────────────────────────

  /** The bot's reply (sendToConversation / replyToActivity) into a conversation of this channel. */
  private async botReply(req: restify.Request, res: restify.Response): Promise<void> {
    this.authorizeConnector(req);
    const conversationId = String(req.params.conversationId ?? '');
    if (!ID_PATTERN.test(conversationId)) throw new HttpProblem(404, 'there is no such conversation');
    const body: unknown = req.body;
    if (!isObject(body)) throw new HttpProblem(400, 'the body must be a JSON activity');
    if (typeof body.type !== 'string' || !body.type) throw new HttpProblem(400, 'the activity has no "type"');
    const { serviceUrl: _serviceUrl, id: _id, ...rest } = body;
    const replyToId = typeof req.params.replyToId === 'string' ? req.params.replyToId : rest.replyToId;
    const activity: Record<string, unknown> = {
      ...rest,
      channelId: CHANNEL_ID,
      conversation: { id: conversationId },
      // Whatever the bot calls itself, Web Chat shows it on the bot's side.
      from: { ...(isObject(rest.from) ? rest.from : this.botAccount), role: 'bot' },
      timestamp: new Date(this.now()).toISOString(),
      ...(typeof replyToId === 'string' ? { replyToId } : {}),
    };
    const watermark = await this.state.append(conversationId, activity);
    if (watermark === undefined) throw new HttpProblem(404, 'there is no such conversation');
    res.send(200, { id: activityId(conversationId, watermark) });
  }

  // ── tokens, conversations and turns ─────────────────────────────────────────────────────────

  /**
   * A Direct Line token, and the resume token the page keeps to come back to the conversation: it
   * lasts as long as the bot keeps an unused conversation (STATE_TTL_DAYS), and every resume or
   * refresh gives a new one.
   */
  private async tokenBody(conversationId: string, userId: string) {
    const now = this.now();
    const resumeTtlMs = this.state.limits.ttlMs;
    const [token, resumeToken] = await Promise.all([
      this.tokens.sign({ kind: 'dl', conversationId, userId, expiresAt: now + this.limits.tokenTtlMs }),
      this.tokens.sign({ kind: 'resume', conversationId, userId, expiresAt: now + resumeTtlMs }),
    ]);
    return {
      conversationId,
      token,
      expires_in: Math.floor(this.limits.tokenTtlMs / 1000),
      resumeToken,
      resumeExpiresIn: Math.floor(resumeTtlMs / 1000),
    };
  }

  private conversationBody({ claims, token }: Authorized) {
    return {
      conversationId: claims.conversationId,
      token,
      expires_in: Math.max(0, Math.floor((claims.expiresAt - this.now()) / 1000)),
    };
  }

  /**
   * The token's claims: 401 without a bearer token, 403 for a token that is not ours or has
   * expired, and for a named conversation 404 when it does not exist, 403 when it is another's.
   */
  private async authorize(req: restify.Request, conversationId?: string): Promise<Authorized> {
    const token = bearerToken(req);
    if (!token) {
      throw new HttpProblem(401, 'a Direct Line token is needed: Authorization: Bearer <token> (POST /v3/directline/tokens/generate)', {
        'WWW-Authenticate': 'Bearer',
      });
    }
    const claims = await this.tokens.verify(token, 'dl');
    if (!claims) throw new HttpProblem(403, 'the token is not valid or has expired');
    if (conversationId !== undefined && conversationId !== claims.conversationId) {
      if (!ID_PATTERN.test(conversationId) || !(await this.state.get(conversationId))) throw new HttpProblem(404, 'there is no such conversation');
      throw new HttpProblem(403, 'the token is for another conversation');
    }
    return { claims, token };
  }

  /** The token's conversation, made when first used. */
  private async open(claims: TokenClaims, locale?: string): Promise<DirectLineConversation> {
    const opened = await this.state.open({ id: claims.conversationId, userId: claims.userId, locale });
    if (opened.outcome === 'ended') throw new HttpProblem(403, 'this conversation has ended; start a new one');
    if (opened.outcome === 'full') {
      throw new HttpProblem(503, 'too many conversations are open; try again in a few minutes', { 'Retry-After': '60' });
    }
    return opened.conversation;
  }

  private authorizeConnector(req: restify.Request): void {
    const token = bearerToken(req);
    if (!token) throw new HttpProblem(401, 'the connector only takes replies from this bot', { 'WWW-Authenticate': 'Bearer' });
    const given = createHash('sha256').update(token).digest();
    if (!timingSafeEqual(given, this.connectorSecretHash)) throw new HttpProblem(403, 'the connector only takes replies from this bot');
  }

  /** The user joins, as Direct Line announces a conversation to the bot: once, whichever instance. */
  private async ensureStarted(conversation: DirectLineConversation): Promise<boolean> {
    if (conversation.started || !(await this.state.markStarted(conversation.id))) return false;
    const activity = {
      type: 'conversationUpdate',
      id: `${conversation.id}|join`,
      timestamp: new Date(this.now()).toISOString(),
      channelId: CHANNEL_ID,
      conversation: { id: conversation.id },
      from: { id: conversation.userId, role: 'user' },
      recipient: this.botAccount,
      membersAdded: [{ id: conversation.userId, role: 'user' }, this.botAccount],
      serviceUrl: this.serviceUrl(),
      locale: conversation.locale ?? 'en-GB',
    } as unknown as Activity;
    // Not awaited: the greeting arrives with the first poll; posts queue behind it.
    this.enqueue(conversation.id, activity).catch(() => undefined);
    return true;
  }

  /** Runs the activity through the adapter and bot after this instance's earlier ones. */
  private enqueue(conversationId: string, activity: Activity): Promise<void> {
    const turns = this.turns.get(conversationId) ?? { queue: Promise.resolve(), pending: 0 };
    this.turns.set(conversationId, turns);
    turns.pending++;
    const turn = turns.queue.then(() => this.runTurn(activity));
    const done = () => {
      if (--turns.pending === 0 && this.turns.get(conversationId) === turns) this.turns.delete(conversationId);
    };
    turns.queue = turn.then(done, done);
    return turn;
  }

  private async runTurn(activity: Activity): Promise<void> {
    const { adapter, bot, logger } = this.parts;
    try {
      // The adapter writes callerId on the activity: give it a copy of what was kept.
      await adapter.processActivityDirect(this.authentication, structuredClone(activity), (context: TurnContext) => bot.run(context));
    } catch (error) {
      logger.error({ err: error, channelId: CHANNEL_ID, type: activity.type }, 'direct line turn failed');
      throw error;
    }
  }
}

function aheadOf(watermark: number, next: number): HttpProblem {
  return new HttpProblem(400, `"watermark" ${watermark} is ahead of the conversation (${next})`);
}

/** Registers the Direct Line and connector routes on the bot's server. */
export function registerDirectLine(server: restify.Server, parts: ServerParts, options: DirectLineOptions = {}): DirectLine {
  const directLine = new DirectLine(server, parts, options);
  directLine.register();
  return directLine;
}
