import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Bot Framework channel's service URL on loopback that records what the bot sends it: new
 * activities (POST), updates in place (PUT, as Teams takes updateActivity), member lookups (GET, as
 * Teams answers TeamsInfo.getMember). It can be told to refuse a conversation, as a channel does
 * when the bot was removed or the conversation is gone. `channelId` shapes the activities it
 * builds: 'msteams' (personal chat ids, a tenant) or 'emulator'.
 */

export interface Received {
  method: 'POST' | 'PUT';
  conversationId: string;
  /** The id in the path of an update (PUT) or a reply (POST …/activities/:replyToId). */
  activityId?: string;
  /** The id this channel gave the activity (POST) or kept (PUT). */
  id: string;
  activity: Record<string, unknown>;
  at: number;
}

export class RecordingChannel {
  readonly received: Received[] = [];
  private readonly refusals = new Map<string, number>();
  private readonly members = new Map<string, Record<string, unknown>>();
  private sequence = 0;
  private memberDelayMs = 0;
  private readonly run = randomUUID().slice(0, 8);

  private constructor(
    private readonly server: http.Server,
    readonly serviceUrl: string,
    readonly channelId: 'msteams' | 'emulator',
  ) {}

  static async start(channelId: 'msteams' | 'emulator'): Promise<RecordingChannel> {
    let channel: RecordingChannel | undefined;
    const server = http.createServer((req, res) => channel!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    channel = new RecordingChannel(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, channelId);
    return channel;
  }

  /** A conversation id as this channel makes them (Teams personal chats start "a:"). */
  newConversation(): string {
    return this.channelId === 'msteams' ? `a:${randomUUID()}` : `emulator-${randomUUID()}`;
  }

  /** An activity from the user into `conversationId`, as this channel would post it to /api/messages. */
  activity(conversationId: string, fields: Record<string, unknown>, userId = 'user-1'): Record<string, unknown> {
    const teams = this.channelId === 'msteams';
    return {
      type: 'message',
      id: `${this.run}-${++this.sequence}`,
      timestamp: new Date().toISOString(),
      channelId: this.channelId,
      serviceUrl: this.serviceUrl,
      from: teams ? { id: `29:${userId}`, name: 'Jane Smith', aadObjectId: `aad-${userId}` } : { id: userId, name: 'User' },
      recipient: teams ? { id: '28:bot', name: 'NHSmail care assistant' } : { id: 'bot', name: 'Bot' },
      conversation: teams ? { id: conversationId, conversationType: 'personal', tenantId: 'tenant-1' } : { id: conversationId },
      ...(teams ? { channelData: { tenant: { id: 'tenant-1' } } } : {}),
      locale: 'en-GB',
      ...fields,
    };
  }

  /** Posts a user's message to the bot; resolves with the HTTP status once the bot has answered. */
  async say(botUrl: string, conversationId: string, text: string, userId?: string): Promise<number> {
    return this.post(botUrl, this.activity(conversationId, { type: 'message', text }, userId));
  }

  async post(botUrl: string, activity: Record<string, unknown>): Promise<number> {
    const response = await fetch(`${botUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    await response.text();
    return response.status;
  }

  /** What the bot sent to a conversation (new messages and updates), in order. */
  of(conversationId: string): Received[] {
    return this.received.filter((r) => r.conversationId === conversationId && r.activity.type !== 'typing');
  }

  /** The texts (or a card's summary) of what the bot sent to a conversation. */
  textsOf(conversationId: string): string[] {
    return this.of(conversationId).map((r) => String(r.activity.text ?? r.activity.summary ?? ''));
  }

  /** From now on this conversation is refused with `status` (e.g. 403: the bot was removed). */
  refuse(conversationId: string, status: number): void {
    this.refusals.set(conversationId, status);
  }

  /** Answers member lookups for this user as Teams does (email and user principal name). */
  setMember(userId: string, member: Record<string, unknown>): void {
    this.members.set(userId, { id: userId, ...member });
  }

  /** Member lookups answer this much later (a slow Teams: the turn that asks waits, under its lease). */
  delayMembers(ms: number): void {
    this.memberDelayMs = ms;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '';
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const member = /^\/v3\/conversations\/[^/]+\/members\/([^/?]+)$/.exec(url);
    if (req.method === 'GET' && member) {
      const found = this.members.get(decodeURIComponent(member[1]!));
      setTimeout(() => reply(found ? 200 : 404, found ?? { error: { code: 'MemberNotFound' } }), this.memberDelayMs);
      return;
    }
    const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/?]+))?$/.exec(url);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (!match || (req.method !== 'POST' && req.method !== 'PUT')) {
        reply(404, { error: { code: 'NotFound' } });
        return;
      }
      const conversationId = decodeURIComponent(match[1]!);
      const activityId = match[2] ? decodeURIComponent(match[2]) : undefined;
      const refused = this.refusals.get(conversationId);
      if (refused) {
        reply(refused, { error: { code: refused === 403 ? 'BotNotInConversationRoster' : 'ConversationNotFound', message: 'refused' } });
        return;
      }
      try {
        const activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        const id = req.method === 'PUT' ? activityId! : `${this.run}-sent-${++this.sequence}`;
        this.received.push({ method: req.method, conversationId, ...(activityId ? { activityId } : {}), id, activity, at: Date.now() });
        reply(200, { id });
      } catch {
        reply(400, { error: { code: 'BadArgument' } });
      }
    });
  }
}
