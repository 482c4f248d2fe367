import type { Activity } from 'botbuilder';
import type * as restify from 'restify';

/** What the page sends, checked: bodies, bearer tokens, watermarks and the activities it posts. */

/** A reason for the client, with its HTTP status. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const USER_ID_PATTERN = /^[A-Za-z0-9_.:@-]{1,64}$/;
export const LOCALE_PATTERN = /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8}){0,3}$/;
/** Activity types the page may post. Anything else (conversationUpdate, invoke…) is the channel's to send. */
const CLIENT_TYPES = new Set(['message', 'event', 'typing']);
/** Fields of a posted activity that are kept; the channel sets everything else. */
const CLIENT_FIELDS = ['type', 'text', 'textFormat', 'locale', 'value', 'name', 'channelData', 'attachments', 'entities', 'replyToId'] as const;

export const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);

export function bearerToken(req: restify.Request): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+([A-Za-z0-9_\-.~+/]+=*)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** An optional JSON object body: nothing, or an object. */
export function optionalObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === '') return {};
  if (Buffer.isBuffer(body)) {
    if (body.length === 0) return {};
    throw new HttpProblem(400, 'the body must be JSON (Content-Type: application/json)');
  }
  if (!isObject(body)) throw new HttpProblem(400, 'the body must be a JSON object');
  return body;
}

export function userIdOf(user: unknown): string | undefined {
  if (user === undefined) return undefined;
  if (!isObject(user)) throw new HttpProblem(400, '"user" must be an object such as {"id": "dl_123"}');
  if (user.id === undefined) return undefined;
  if (typeof user.id !== 'string' || !USER_ID_PATTERN.test(user.id)) {
    throw new HttpProblem(400, '"user.id" must be 1 to 64 letters, digits or _ . : @ -');
  }
  return user.id;
}

export function localeOf(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !LOCALE_PATTERN.test(value)) throw new HttpProblem(400, '"locale" must be a language tag such as en-GB');
  return value;
}

/** The `watermark` query parameter: 0 when absent. */
export function watermarkOf(req: restify.Request): number {
  const raw = new URL(req.url ?? '/', 'http://localhost').searchParams.get('watermark') ?? '';
  if (raw === '') return 0;
  if (!/^\d{1,12}$/.test(raw)) throw new HttpProblem(400, '"watermark" must be a whole number (the last one received)');
  return Number(raw);
}

export interface ClientActivityContext {
  conversationId: string;
  userId: string;
  locale?: string;
  bot: { id: string; name: string; role: string };
  serviceUrl: string;
  maxActivityBytes: number;
}

/** A posted activity, checked and completed as the channel: ids, times and parties are ours. */
export function clientActivity(context: ClientActivityContext, body: unknown): Activity & Record<string, unknown> {
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
  localeOf(body.locale);
  if (body.from !== undefined && !isObject(body.from)) throw new HttpProblem(400, '"from" must be an object with an "id"');
  const kept: Record<string, unknown> = {};
  for (const field of CLIENT_FIELDS) if (body[field] !== undefined) kept[field] = body[field];
  // The page may name its user (Web Chat sends its own user id); never anything but a user.
  const from = body.from;
  const fromId = from && typeof from.id === 'string' && USER_ID_PATTERN.test(from.id) ? from.id : context.userId;
  const fromName = from && typeof from.name === 'string' ? from.name.slice(0, 100) : undefined;
  const activity = {
    ...kept,
    channelId: 'webchat',
    conversation: { id: context.conversationId },
    from: { id: fromId, ...(fromName ? { name: fromName } : {}), role: 'user' },
    recipient: context.bot,
    serviceUrl: context.serviceUrl,
    locale: kept.locale ?? context.locale ?? 'en-GB',
  } as Activity & Record<string, unknown>;
  if (jsonBytes(activity) > context.maxActivityBytes) {
    throw new HttpProblem(413, `the activity is larger than ${Math.floor(context.maxActivityBytes / 1024)} KiB`);
  }
  return activity;
}
