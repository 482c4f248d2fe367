import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Bot Framework channel on this machine, as the Emulator is: it posts activities to the bot's
 * `/api/messages` and receives the bot's replies on its own `serviceUrl`
 * (`POST /v3/conversations/:id/activities[/:replyToId]`). Used by end-to-end tests and the
 * benchmark; nothing leaves loopback.
 */

export interface ChannelActivity {
  type: string;
  id?: string;
  text?: string;
  replyToId?: string;
  conversation?: { id: string };
  suggestedActions?: { actions: { title?: string; value?: unknown }[] };
  [key: string]: unknown;
}

export interface SendResult {
  status: number;
  body: string;
  /** Message activities the bot sent to this conversation while the request was handled. */
  replies: ChannelActivity[];
}

export class LocalChannel {
  private readonly received = new Map<string, ChannelActivity[]>();
  /** Every activity received, per conversation, in arrival order (kept until `forget`). */
  private readonly history = new Map<string, ChannelActivity[]>();
  /** Members the channel knows (for `GET /v3/conversations/:id/members/:userId`, as Teams answers it). */
  private readonly members = new Map<string, Record<string, unknown>>();
  private sequence = 0;
  /** Activity ids are unique across channels too, as a real channel's are. */
  private readonly run = randomUUID().slice(0, 8);

  private constructor(
    private readonly server: http.Server,
    readonly serviceUrl: string,
    private readonly channelId: string,
  ) {}

  static async start(options: { channelId?: string } = {}): Promise<LocalChannel> {
    let channel: LocalChannel | undefined;
    const server = http.createServer((req, res) => channel!.handle(req, res));
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    channel = new LocalChannel(server, `http://127.0.0.1:${port}`, options.channelId ?? 'emulator');
    return channel;
  }

  /** Builds a message activity as a channel would. */
  message(conversationId: string, text: string, extra: Partial<ChannelActivity> = {}): ChannelActivity {
    return this.activity(conversationId, { type: 'message', text, ...extra });
  }

  /** The activity a channel sends when a user opens a conversation with the bot. */
  conversationStart(conversationId: string): ChannelActivity {
    return this.activity(conversationId, {
      type: 'conversationUpdate',
      membersAdded: [
        { id: 'user-1', name: 'User' },
        { id: 'bot', name: 'Bot' },
      ],
    });
  }

  activity(conversationId: string, fields: Partial<ChannelActivity>): ChannelActivity {
    return {
      type: 'message',
      id: `${conversationId}|${this.run}|${String(++this.sequence).padStart(7, '0')}`,
      timestamp: new Date().toISOString(),
      channelId: this.channelId,
      serviceUrl: this.serviceUrl,
      from: { id: 'user-1', name: 'User' },
      recipient: { id: 'bot', name: 'Bot' },
      conversation: { id: conversationId },
      locale: 'en-GB',
      ...fields,
    };
  }

  /** Posts an activity and returns the messages the bot replied with during the request. */
  async send(botUrl: string, activity: ChannelActivity, headers: Record<string, string> = {}): Promise<SendResult> {
    const conversationId = activity.conversation?.id ?? '';
    this.received.set(conversationId, []);
    const response = await fetch(`${botUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(activity),
    });
    const body = await response.text();
    const replies = (this.received.get(conversationId) ?? []).filter((a) => a.type === 'message');
    this.received.delete(conversationId);
    return { status: response.status, body, replies };
  }

  /** Sends text and returns the replies' texts (a convenience for conversations in tests). */
  async say(botUrl: string, conversationId: string, text: string): Promise<string[]> {
    const result = await this.send(botUrl, this.message(conversationId, text));
    if (result.status !== 200) throw new Error(`bot answered ${result.status}: ${result.body}`);
    return result.replies.map((r) => r.text ?? '');
  }

  /** Every activity (messages, typing, …) the bot has sent to a conversation so far. */
  activitiesOf(conversationId: string): ChannelActivity[] {
    return [...(this.history.get(conversationId) ?? [])];
  }

  /** Every message the bot has sent to a conversation so far. */
  transcript(conversationId: string): ChannelActivity[] {
    return (this.history.get(conversationId) ?? []).filter((a) => a.type === 'message');
  }

  forget(conversationId: string): void {
    this.history.delete(conversationId);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Makes the channel answer member lookups for this user id (as Teams does with email and UPN). */
  setMember(userId: string, member: Record<string, unknown>): void {
    this.members.set(userId, { id: userId, ...member });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const memberLookup = /^\/v3\/conversations\/[^/]+\/members\/([^/?]+)$/.exec(req.url ?? '');
    if (req.method === 'GET' && memberLookup) {
      const member = this.members.get(decodeURIComponent(memberLookup[1]!));
      res.writeHead(member ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(member ?? { error: { code: 'MemberNotFound' } }));
      return;
    }
    const match = /^\/v3\/conversations\/([^/]+)\/activities(?:\/[^/]+)?$/.exec(req.url ?? '');
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || !match) {
        // restify replaces writeHead process-wide with one that returns nothing: never chain it.
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{}');
        return;
      }
      try {
        const activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChannelActivity;
        const conversationId = decodeURIComponent(match[1]!);
        this.received.get(conversationId)?.push(activity);
        const all = this.history.get(conversationId) ?? [];
        all.push(activity);
        this.history.set(conversationId, all);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: randomUUID() }));
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end('{"error":"bad activity"}');
      }
    });
  }
}
