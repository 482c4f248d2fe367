import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Activity, ConversationReference, TurnContext } from 'botbuilder';
import {
  AuthenticateRequestResult,
  AuthenticationConstants,
  ClaimsIdentity,
  ConnectorClient,
  ConnectorFactory,
  TokenCredentials,
} from 'botframework-connector';
import type * as restify from 'restify';
import type { ServerParts } from './server';

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
 * user token client refuses any other): it is read from the environment as bot/config.ts reads it,
 * since ServerParts carries no configuration (or pass `appId`). Azure AD is never called.
 *
 * State is in this process's memory and bounded (DirectLineLimits); the bot's own conversation
 * state goes to its conversation store as for any channel ('webchat' + conversation id).
 *
 * ConnectorClient, ConnectorFactory, ClaimsIdentity and TokenCredentials come from
 * botframework-connector, which botbuilder depends on (same version) but does not re-export.
 */

export const DIRECT_LINE_PATH = '/v3/directline';
export const CONNECTOR_PATH = '/directline/connector';
export const CHANNEL_ID = 'webchat';

export interface DirectLineLimits {
  /** Conversations kept at once; beyond it the least recently used idle one goes, or 503. */
  maxConversations: number;
  /** Activities kept per conversation (the oldest are dropped; watermarks keep counting). */
  maxActivitiesPerConversation: number;
  /** Bytes (JSON) of activities kept per conversation (the oldest are dropped). */
  maxBytesPerConversation: number;
  /** Largest activity the page may post, in bytes of JSON. */
  maxActivityBytes: number;
  /** Activities of one conversation waiting for the bot before posting gets 429. */
  maxPendingTurns: number;
  /** Lifetime of a token; a refresh gives a new one (Web Chat refreshes every 15 minutes). */
  tokenTtlMs: number;
  /** A conversation without any request for this long is forgotten. */
  idleMs: number;
  /** Only conversations idle at least this long may be evicted to make room. */
  evictableAfterMs: number;
  /** How long posting an activity waits for the bot's turn before answering anyway. */
  turnWaitMs: number;
}

export const DEFAULT_LIMITS: DirectLineLimits = {
  maxConversations: 500,
  maxActivitiesPerConversation: 200,
  maxBytesPerConversation: 256 * 1024,
  maxActivityBytes: 32 * 1024,
  maxPendingTurns: 5,
  tokenTtlMs: 30 * 60 * 1000,
  idleMs: 30 * 60 * 1000,
  evictableAfterMs: 2 * 60 * 1000,
  turnWaitMs: 15_000,
};

export interface DirectLineOptions {
  /**
   * The bot's Microsoft app id, which must match the adapter's (its user token client refuses
   * another). Defaults to MicrosoftAppId from the environment, where bot/config.ts reads it.
   */
  appId?: string;
  limits?: Partial<DirectLineLimits>;
  now?: () => number;
}

interface StoredActivity {
  watermark: number;
  bytes: number;
  activity: Record<string, unknown>;
}

interface TokenRecord {
  conversationId: string;
  expiresAt: number;
}

interface Conversation {
  id: string;
  userId: string;
  locale?: string;
  started: boolean;
  lastSeen: number;
  /** Watermark of the next activity (activities ever added). */
  next: number;
  activities: StoredActivity[];
  bytes: number;
  /** Hashes of this conversation's tokens, newest last. */
  tokens: string[];
  /** Turns run one after the other, in the order the page posted them. */
  queue: Promise<void>;
  pending: number;
}

/** A reason for the client, with its HTTP status. */
class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const USER_ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,64}$/;
const LOCALE_PATTERN = /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8}){0,3}$/;
/** Activity types the page may post. Anything else (conversationUpdate, invoke…) is the channel's to send. */
const CLIENT_TYPES = new Set(['message', 'event', 'typing']);
/** Fields of a posted activity that are kept; the channel sets everything else. */
const CLIENT_FIELDS = ['type', 'text', 'textFormat', 'locale', 'value', 'name', 'channelData', 'attachments', 'entities', 'replyToId'] as const;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const randomId = (bytes: number) => randomBytes(bytes).toString('base64url');
const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);

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

/** The Direct Line conversations of this process, and the routes that serve them. */
export class DirectLine {
  readonly limits: DirectLineLimits;
  private readonly conversations = new Map<string, Conversation>();
  private readonly tokens = new Map<string, TokenRecord>();
  private readonly connectorSecret = randomId(32);
  private readonly connectorSecretHash = createHash('sha256').update(this.connectorSecret).digest();
  private readonly now: () => number;
  private readonly appId: string | undefined;
  private readonly botAccount: { id: string; name: string; role: string };
  private readonly authentication: AuthenticateRequestResult;
  private lastSweep = 0;

  constructor(
    private readonly server: restify.Server,
    private readonly parts: ServerParts,
    options: DirectLineOptions = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.now = options.now ?? Date.now;
    this.appId = (options.appId ?? process.env.MicrosoftAppId)?.trim() || undefined;
    this.botAccount = { id: this.appId ?? 'nhsmail-care-assistant', name: 'NHSmail care assistant', role: 'bot' };
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
  get size(): number {
    return this.conversations.size;
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

  /**
   * A proactive turn in one of this channel's conversations. (The adapter's own
   * continueConversationAsync would sign its replies for Azure AD, which the connector routes
   * refuse: for 'webchat' conversations use this.) Rejects with what `logic` threw, e.g. when
   * the conversation is gone (the connector answers 404), instead of leaving it to onTurnError.
   */
  async continueConversation(reference: Partial<ConversationReference>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: 'event', name: 'ContinueConversation' }, reference, true) as Activity;
    activity.channelId = CHANNEL_ID;
    activity.serviceUrl = this.serviceUrl();
    let failure: { error: unknown } | undefined;
    await this.parts.adapter.processActivityDirect(this.authentication, activity, async (context) => {
      try {
        await logic(context);
      } catch (error) {
        failure = { error };
      }
    });
    if (failure) throw failure.error;
  }

  register(): void {
    const route = (handler: (req: restify.Request, res: restify.Response) => Promise<void> | void) => async (req: restify.Request, res: restify.Response) => {
      try {
        this.sweep();
        await handler(req, res);
      } catch (error) {
        if (error instanceof HttpProblem) {
          for (const [name, value] of Object.entries(error.headers)) res.header(name, value);
          res.send(error.status, { error: error.message });
          return;
        }
        this.parts.logger.error({ err: error, path: req.path() }, 'direct line request failed');
        res.send(500, { error: 'something went wrong; try again' });
      }
    };
    const dl = DIRECT_LINE_PATH;
    this.server.post(`${dl}/tokens/generate`, route((req, res) => this.generateToken(req, res)));
    this.server.post(`${dl}/tokens/refresh`, route((req, res) => this.refreshToken(req, res)));
    this.server.post(`${dl}/conversations`, route((req, res) => this.startConversation(req, res)));
    this.server.get(`${dl}/conversations/:conversationId`, route((req, res) => this.reconnect(req, res)));
    this.server.get(`${dl}/conversations/:conversationId/activities`, route((req, res) => this.getActivities(req, res)));
    this.server.post(`${dl}/conversations/:conversationId/activities`, route((req, res) => this.postActivity(req, res)));
    this.server.post(`${CONNECTOR_PATH}/v3/conversations/:conversationId/activities`, route((req, res) => this.botReply(req, res)));
    this.server.post(`${CONNECTOR_PATH}/v3/conversations/:conversationId/activities/:replyToId`, route((req, res) => this.botReply(req, res)));
  }

  // ── Direct Line routes ──────────────────────────────────────────────────────────────────────

  /** A token for a new conversation (the conversation starts with POST /conversations or a first activity). */
  private generateToken(req: restify.Request, res: restify.Response): void {
    const body = optionalObject(req.body);
    const userId = userIdOf(body.user);
    const conversation = this.createConversation(userId);
    const token = this.issueToken(conversation);
    res.send(200, { conversationId: conversation.id, token, expires_in: this.limits.tokenTtlMs / 1000 });
  }

  private refreshToken(req: restify.Request, res: restify.Response): void {
    const { conversation } = this.authorize(req);
    optionalObject(req.body);
    const token = this.issueToken(conversation);
    res.send(200, { conversationId: conversation.id, token, expires_in: this.limits.tokenTtlMs / 1000 });
  }

  /** Starts the token's conversation: the bot hears the user join (once) and greets. */
  private startConversation(req: restify.Request, res: restify.Response): void {
    const { conversation, token, record } = this.authorize(req);
    const body = optionalObject(req.body);
    if (body.locale !== undefined) {
      if (typeof body.locale !== 'string' || !LOCALE_PATTERN.test(body.locale)) throw new HttpProblem(400, '"locale" must be a language tag such as en-GB');
      conversation.locale ??= body.locale;
    }
    const created = !conversation.started;
    this.ensureStarted(conversation);
    res.send(created ? 201 : 200, this.conversationBody(conversation, token, record));
  }

  /** Reconnecting to a conversation (Web Chat does this when it is given a conversation id). */
  private reconnect(req: restify.Request, res: restify.Response): void {
    const { conversation, token, record } = this.authorize(req, req.params.conversationId);
    this.watermarkOf(req, conversation);
    this.ensureStarted(conversation);
    res.send(200, this.conversationBody(conversation, token, record));
  }

  private getActivities(req: restify.Request, res: restify.Response): void {
    const { conversation } = this.authorize(req, req.params.conversationId);
    const watermark = this.watermarkOf(req, conversation);
    const activities = conversation.activities.filter((a) => a.watermark >= watermark).map((a) => a.activity);
    res.header('Cache-Control', 'no-store');
    res.send(200, { activities, watermark: String(conversation.next) });
  }

  private async postActivity(req: restify.Request, res: restify.Response): Promise<void> {
    const { conversation } = this.authorize(req, req.params.conversationId);
    const activity = this.completeClientActivity(conversation, req.body);
    if (conversation.pending >= this.limits.maxPendingTurns) {
      throw new HttpProblem(429, 'too many activities are waiting for the bot; wait for its answer', { 'Retry-After': '2' });
    }
    this.ensureStarted(conversation);
    // Typing is passed to the bot but not kept: nobody else is in the conversation to see it.
    if (activity.type === 'typing') this.stamp(conversation, activity);
    else this.append(conversation, activity);
    const turn = this.enqueue(conversation, activity);
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
  private botReply(req: restify.Request, res: restify.Response): void {
    this.authorizeConnector(req);
    const conversation = this.conversationOf(String(req.params.conversationId ?? ''));
    if (!conversation) throw new HttpProblem(404, 'there is no such conversation');
    const body: unknown = req.body;
    if (!isObject(body)) throw new HttpProblem(400, 'the body must be a JSON activity');
    if (typeof body.type !== 'string' || !body.type) throw new HttpProblem(400, 'the activity has no "type"');
    const { serviceUrl: _serviceUrl, ...rest } = body;
    const replyToId = typeof req.params.replyToId === 'string' ? req.params.replyToId : rest.replyToId;
    const activity: Record<string, unknown> = {
      ...rest,
      channelId: CHANNEL_ID,
      conversation: { id: conversation.id },
      // Whatever the bot calls itself, Web Chat shows it on the bot's side.
      from: { ...(isObject(rest.from) ? rest.from : this.botAccount), role: 'bot' },
      ...(typeof replyToId === 'string' ? { replyToId } : {}),
    };
    this.append(conversation, activity);
    res.send(200, { id: activity.id });
  }

  // ── conversations, tokens and activities ────────────────────────────────────────────────────

  private createConversation(userId: string | undefined): Conversation {
    if (this.conversations.size >= this.limits.maxConversations) this.makeRoom();
    const now = this.now();
    const conversation: Conversation = {
      id: randomId(16),
      userId: userId ?? `dl_${randomId(12)}`,
      started: false,
      lastSeen: now,
      next: 0,
      activities: [],
      bytes: 0,
      tokens: [],
      queue: Promise.resolve(),
      pending: 0,
    };
    this.conversations.set(conversation.id, conversation);
    return conversation;
  }

  /** Frees the least recently used conversation that nobody has used for a while, or refuses. */
  private makeRoom(): void {
    this.sweep(true);
    if (this.conversations.size < this.limits.maxConversations) return;
    const now = this.now();
    let oldest: Conversation | undefined;
    for (const conversation of this.conversations.values()) {
      if (now - conversation.lastSeen < this.limits.evictableAfterMs || conversation.pending > 0) continue;
      if (!oldest || conversation.lastSeen < oldest.lastSeen) oldest = conversation;
    }
    if (!oldest) throw new HttpProblem(503, 'too many conversations are open; try again in a few minutes', { 'Retry-After': '60' });
    this.remove(oldest);
  }

  private remove(conversation: Conversation): void {
    for (const hash of conversation.tokens) this.tokens.delete(hash);
    this.conversations.delete(conversation.id);
  }

  /** Forgets idle conversations and expired tokens (at most every few seconds unless forced). */
  private sweep(force = false): void {
    const now = this.now();
    if (!force && now - this.lastSweep < 5_000) return;
    this.lastSweep = now;
    for (const conversation of this.conversations.values()) {
      conversation.tokens = conversation.tokens.filter((hash) => {
        const record = this.tokens.get(hash);
        if (record && record.expiresAt > now) return true;
        this.tokens.delete(hash);
        return false;
      });
      const idle = now - conversation.lastSeen > this.limits.idleMs;
      if ((idle || conversation.tokens.length === 0) && conversation.pending === 0) this.remove(conversation);
    }
  }

  private issueToken(conversation: Conversation): string {
    const token = randomId(32);
    const hash = hashToken(token);
    this.tokens.set(hash, { conversationId: conversation.id, expiresAt: this.now() + this.limits.tokenTtlMs });
    conversation.tokens.push(hash);
    // A refreshed token does not end the previous one (requests in flight still use it), but a
    // conversation holds at most three.
    while (conversation.tokens.length > 3) this.tokens.delete(conversation.tokens.shift()!);
    return token;
  }

  /**
   * The conversation a request's token opens: 401 without a bearer token, 403 for a token that
   * is unknown, expired or for another conversation, 404 for a conversation that does not exist.
   */
  private authorize(req: restify.Request, conversationId?: string): { conversation: Conversation; token: string; record: TokenRecord } {
    const token = bearerToken(req);
    if (!token) {
      throw new HttpProblem(401, 'a Direct Line token is needed: Authorization: Bearer <token> (POST /v3/directline/tokens/generate)', {
        'WWW-Authenticate': 'Bearer',
      });
    }
    const record = this.tokens.get(hashToken(token));
    const tokenConversation = record && record.expiresAt > this.now() ? this.conversations.get(record.conversationId) : undefined;
    if (!record || !tokenConversation) throw new HttpProblem(403, 'the token is not valid or has expired');
    if (conversationId !== undefined) {
      if (!this.conversationOf(conversationId)) throw new HttpProblem(404, 'there is no such conversation');
      if (conversationId !== tokenConversation.id) throw new HttpProblem(403, 'the token is for another conversation');
    }
    tokenConversation.lastSeen = this.now();
    return { conversation: tokenConversation, token, record };
  }

  private authorizeConnector(req: restify.Request): void {
    const token = bearerToken(req);
    if (!token) throw new HttpProblem(401, 'the connector only takes replies from this bot', { 'WWW-Authenticate': 'Bearer' });
    const given = createHash('sha256').update(token).digest();
    if (!timingSafeEqual(given, this.connectorSecretHash)) throw new HttpProblem(403, 'the connector only takes replies from this bot');
  }

  private conversationOf(id: string): Conversation | undefined {
    return ID_PATTERN.test(id) ? this.conversations.get(id) : undefined;
  }

  private conversationBody(conversation: Conversation, token: string, record: TokenRecord) {
    return {
      conversationId: conversation.id,
      token,
      expires_in: Math.max(0, Math.floor((record.expiresAt - this.now()) / 1000)),
    };
  }

  private watermarkOf(req: restify.Request, conversation: Conversation): number {
    const raw = new URL(req.url ?? '/', 'http://localhost').searchParams.get('watermark') ?? '';
    if (raw === '') return 0;
    if (!/^\d{1,12}$/.test(raw)) throw new HttpProblem(400, '"watermark" must be a whole number (the last one received)');
    const watermark = Number(raw);
    if (watermark > conversation.next) throw new HttpProblem(400, `"watermark" ${watermark} is ahead of the conversation (${conversation.next})`);
    return watermark;
  }

  /** A posted activity, checked and completed as the channel: ids, times and parties are ours. */
  private completeClientActivity(conversation: Conversation, body: unknown): Activity & Record<string, unknown> {
    if (body === undefined || body === null || body === '' || (Buffer.isBuffer(body) && body.length === 0)) {
      throw new HttpProblem(400, 'the body is empty; send a JSON activity');
    }
    if (!isObject(body)) throw new HttpProblem(400, 'the body must be a JSON object (an activity)');
    if (typeof body.type !== 'string' || !body.type) throw new HttpProblem(400, 'the activity has no "type"');
    if (!CLIENT_TYPES.has(body.type)) throw new HttpProblem(400, `activities of type "${body.type.slice(0, 40)}" cannot be posted; use message, event or typing`);
    if (body.text !== undefined && typeof body.text !== 'string') throw new HttpProblem(400, '"text" must be a string');
    if (body.type === 'message' && body.text === undefined && body.value === undefined && body.attachments === undefined) {
      throw new HttpProblem(400, 'a message needs "text", "value" or "attachments"');
    }
    if (body.type === 'event' && (typeof body.name !== 'string' || !body.name)) throw new HttpProblem(400, 'an event needs a "name"');
    if (body.attachments !== undefined && !Array.isArray(body.attachments)) throw new HttpProblem(400, '"attachments" must be an array');
    if (body.channelData !== undefined && !isObject(body.channelData)) throw new HttpProblem(400, '"channelData" must be an object');
    if (body.locale !== undefined && (typeof body.locale !== 'string' || !LOCALE_PATTERN.test(body.locale))) {
      throw new HttpProblem(400, '"locale" must be a language tag such as en-GB');
    }
    if (body.from !== undefined && !isObject(body.from)) throw new HttpProblem(400, '"from" must be an object with an "id"');
    const kept: Record<string, unknown> = {};
    for (const field of CLIENT_FIELDS) if (body[field] !== undefined) kept[field] = body[field];
    // The page may name its user (Web Chat sends its own user id); never anything but a user.
    const from = body.from;
    const fromId = from && typeof from.id === 'string' && USER_ID_PATTERN.test(from.id) ? from.id : conversation.userId;
    const fromName = from && typeof from.name === 'string' ? from.name.slice(0, 100) : undefined;
    const activity = {
      ...kept,
      channelId: CHANNEL_ID,
      conversation: { id: conversation.id },
      from: { id: fromId, ...(fromName ? { name: fromName } : {}), role: 'user' },
      recipient: this.botAccount,
      serviceUrl: this.serviceUrl(),
      locale: kept.locale ?? conversation.locale ?? 'en-GB',
    } as Activity & Record<string, unknown>;
    if (jsonBytes(activity) > this.limits.maxActivityBytes) {
      throw new HttpProblem(413, `the activity is larger than ${Math.floor(this.limits.maxActivityBytes / 1024)} KiB`);
    }
    return activity;
  }

  /** Gives an activity its id and timestamp; returns its watermark. */
  private stamp(conversation: Conversation, activity: Record<string, unknown>): number {
    const watermark = conversation.next++;
    activity.id = `${conversation.id}|${String(watermark).padStart(7, '0')}`;
    activity.timestamp = new Date(this.now()).toISOString();
    return watermark;
  }

  /** Adds an activity (id, timestamp, watermark) and drops the oldest beyond the limits. */
  private append(conversation: Conversation, activity: Record<string, unknown>): void {
    const watermark = this.stamp(conversation, activity);
    const { serviceUrl: _serviceUrl, ...shown } = activity;
    const stored: StoredActivity = { watermark, bytes: jsonBytes(shown), activity: shown };
    conversation.activities.push(stored);
    conversation.bytes += stored.bytes;
    while (
      conversation.activities.length > 1 &&
      (conversation.activities.length > this.limits.maxActivitiesPerConversation || conversation.bytes > this.limits.maxBytesPerConversation)
    ) {
      conversation.bytes -= conversation.activities.shift()!.bytes;
    }
  }

  /** The user joins, as Direct Line announces a conversation to the bot; only once. */
  private ensureStarted(conversation: Conversation): void {
    if (conversation.started) return;
    conversation.started = true;
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
    this.enqueue(conversation, activity).catch(() => undefined);
  }

  /** Runs the activity through the adapter and bot after the conversation's earlier ones. */
  private enqueue(conversation: Conversation, activity: Activity): Promise<void> {
    conversation.pending++;
    const turn = conversation.queue.then(() => this.runTurn(activity));
    conversation.queue = turn.then(
      () => {
        conversation.pending--;
      },
      () => {
        conversation.pending--;
      },
    );
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

function bearerToken(req: restify.Request): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+([A-Za-z0-9_\-.~+/]+=*)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** An optional JSON object body: nothing, or an object. */
function optionalObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === '') return {};
  if (Buffer.isBuffer(body)) {
    if (body.length === 0) return {};
    throw new HttpProblem(400, 'the body must be JSON (Content-Type: application/json)');
  }
  if (!isObject(body)) throw new HttpProblem(400, 'the body must be a JSON object');
  return body;
}

function userIdOf(user: unknown): string | undefined {
  if (user === undefined) return undefined;
  if (!isObject(user)) throw new HttpProblem(400, '"user" must be an object such as {"id": "dl_123"}');
  if (user.id === undefined) return undefined;
  if (typeof user.id !== 'string' || !USER_ID_PATTERN.test(user.id)) {
    throw new HttpProblem(400, '"user.id" must be 1 to 64 letters, digits or _ . : @ -');
  }
  return user.id;
}

/** Registers the Direct Line and connector routes on the bot's server. */
export function registerDirectLine(server: restify.Server, parts: ServerParts, options: DirectLineOptions = {}): DirectLine {
  const directLine = new DirectLine(server, parts, options);
  directLine.register();
  return directLine;
}

// ── the page ──────────────────────────────────────────────────────────────────────────────────

/**
 * Where bot/webchat is: beside this file when run with ts-node or jest, ../../bot/webchat from
 * dist/bot, or under the working directory (a build elsewhere, started from the repository).
 */
function pageDirectory(): string | undefined {
  const candidates = [path.join(__dirname, 'webchat'), path.join(__dirname, '..', '..', 'bot', 'webchat'), path.join(process.cwd(), 'bot', 'webchat')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
}

/** Web Chat's UMD bundle (the package does not export the file: found beside its main entry). */
function webChatBundlePath(): string | undefined {
  try {
    const file = path.join(path.dirname(require.resolve('botframework-webchat')), '..', 'dist', 'webchat.js');
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Nothing from elsewhere: scripts, styles, fonts and connections to this server only. Web Chat
 * styles itself with <style> elements it creates, hence 'unsafe-inline' for styles (not scripts).
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "media-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  body: Buffer;
  gzipped?: Buffer;
  etag: string;
  type: string;
  cacheControl: string;
}

/** Registers GET / (the web chat page) and its assets under /webchat/. */
export function registerWebChatPage(server: restify.Server): void {
  const dir = pageDirectory();
  const files: Record<string, { file: () => string | undefined; type: string; cacheControl: string }> = {
    '/': { file: () => dir && path.join(dir, 'index.html'), type: 'text/html; charset=utf-8', cacheControl: 'no-cache' },
    '/webchat/page.css': { file: () => dir && path.join(dir, 'page.css'), type: 'text/css; charset=utf-8', cacheControl: 'no-cache' },
    '/webchat/page.js': { file: () => dir && path.join(dir, 'page.js'), type: 'text/javascript; charset=utf-8', cacheControl: 'no-cache' },
    // Not versioned in its address: cached for a day, then checked against its ETag.
    '/webchat/webchat.js': { file: webChatBundlePath, type: 'text/javascript; charset=utf-8', cacheControl: 'public, max-age=86400' },
  };
  const cache = new Map<string, Asset>();
  const load = (route: string): Asset | undefined => {
    const spec = files[route]!;
    const file = spec.file();
    if (!file || !existsSync(file)) return undefined;
    const stat = statSync(file);
    const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
    const cached = cache.get(route);
    if (cached?.etag === etag) return cached;
    const body = readFileSync(file);
    const asset: Asset = { body, etag, type: spec.type, cacheControl: spec.cacheControl };
    if (body.length > 1024) asset.gzipped = gzipSync(body);
    cache.set(route, asset);
    return asset;
  };

  for (const route of Object.keys(files)) {
    server.get(route, async (req, res) => {
      const asset = load(route);
      if (!asset) {
        res.send(404, { error: 'the web chat page is not installed (bot/webchat or botframework-webchat is missing)' });
        return;
      }
      res.setHeader('Content-Type', asset.type);
      res.setHeader('Cache-Control', asset.cacheControl);
      res.setHeader('ETag', asset.etag);
      res.setHeader('Vary', 'Accept-Encoding');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      if (route === '/') {
        res.setHeader('Content-Security-Policy', PAGE_CSP);
        res.setHeader('X-Frame-Options', 'DENY');
      }
      if (req.headers['if-none-match'] === asset.etag) {
        res.writeHead(304);
        res.end();
        return;
      }
      const gzip = asset.gzipped && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
      const body = gzip ? asset.gzipped! : asset.body;
      if (gzip) res.setHeader('Content-Encoding', 'gzip');
      res.setHeader('Content-Length', body.length);
      res.writeHead(200);
      res.end(body);
    });
  }
}
