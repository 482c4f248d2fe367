import type * as restify from 'restify';
import { InvalidSubmissionError, NAS_QUEUES, NAS_REFERENCE_PATTERN, NAS_REQUEST_STATUSES, NasQueue, NasRequestStatus } from '../../adapters/nasRequests';
import { StoreUnavailableError } from '../../adapters/conversationStore';
import { BackOffice, FilterError, parseFilter } from './service';
import type { TokenBook } from './tokens';
import { csvHeader, csvRow, summaryView } from './views';

/**
 * The back office's HTTP API under /nas/api/ (docs/back-office.md; described by the OpenAPI
 * document at /nas/api/openapi.json, bot/backOffice/openapi.ts). Every call but the document needs
 * `Authorization: Bearer <token>` with a token of NAS_API_TOKENS: 401 without one or with an
 * unknown one, 403 for a request of another queue than the token's. A request's ETag is its
 * version; a status change must send it back in If-Match (428 without, 409 when it changed).
 */

export const API_BASE = '/nas/api';
const MAX_TEXT = 2_000;
const MAX_NAME = 80;

type Req = restify.Request;
type Res = restify.Response;

interface Problem {
  status: number;
  error: string;
  [extra: string]: unknown;
}

class HttpProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.error);
  }
}

const problem = (status: number, error: string, extra: Record<string, unknown> = {}) => new HttpProblem({ status, error, ...extra });

function send(res: Res, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.writeHead(status);
  res.end(text);
}

const etagOf = (version: number) => `"${version}"`;

/** `"3"`, `W/"3"` or `3` → 3; anything else undefined. */
export function versionFromIfMatch(header: string | undefined): number | undefined {
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header ?? '');
  return match ? Number(match[1]) : undefined;
}

function text(value: unknown, field: string, max = MAX_TEXT): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw problem(400, `"${field}" must be text`);
  const trimmed = value.trim();
  if (trimmed.length > max) throw problem(400, `"${field}" must be at most ${max} characters`);
  return trimmed || undefined;
}

function jsonBody(req: Req): Record<string, unknown> {
  const body = req.body as unknown;
  const type = String(req.headers['content-type'] ?? '');
  if (body === undefined || body === null || body === '') return {};
  if (!type.includes('json') || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) {
    throw problem(400, 'the body must be a JSON object (Content-Type: application/json)');
  }
  return body as Record<string, unknown>;
}

function query(req: Req): Record<string, string | undefined> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of url.searchParams) out[k] = v;
  return out;
}

export interface ApiOptions {
  office: BackOffice;
  tokens: TokenBook;
  onError?: (error: unknown, path: string) => void;
}

export function registerBackOfficeApi(server: restify.Server, options: ApiOptions): void {
  const { office, tokens } = options;

  /** The queue the caller's token opens; 401 without a known token. */
  const queueOf = (req: Req): NasQueue => {
    const header = String(req.headers.authorization ?? '');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw problem(401, 'send your back-office token: Authorization: Bearer <token>');
    const queue = tokens.queueOf(match[1]!);
    if (!queue) throw problem(401, 'this token is not a back-office token');
    return queue;
  };

  const reference = (req: Req): string => {
    const raw = String((req.params as Record<string, string> | undefined)?.reference ?? '');
    const normalised = raw.trim().toUpperCase();
    if (!NAS_REFERENCE_PATTERN.test(normalised)) throw problem(400, `"${raw.slice(0, 40)}" is not a NAS reference (e.g. REG-7KD9QX2P)`);
    return normalised;
  };

  /** The request, if the token's queue may see it. */
  const requestFor = async (req: Req, queue: NasQueue) => {
    const ref = reference(req);
    const request = await office.get(ref);
    if (!request) throw problem(404, `there is no request ${ref}`);
    if (request.queue !== queue) throw problem(403, `${ref} is in the ${request.queue} queue; this token is for the ${queue} queue`);
    return request;
  };

  const route = (handler: (req: Req, res: Res) => Promise<void>) => async (req: Req, res: Res) => {
    try {
      await handler(req, res);
    } catch (error) {
      if (error instanceof HttpProblem) {
        const { status, ...body } = error.problem;
        send(res, status, body, status === 401 ? { 'WWW-Authenticate': 'Bearer realm="nas"' } : {});
      } else if (error instanceof FilterError || error instanceof InvalidSubmissionError || error instanceof RangeError) {
        send(res, 400, { error: error.message.replace(/^NAS requests cannot be listed: /, '') });
      } else if (error instanceof StoreUnavailableError) {
        send(res, 503, { error: 'the request store cannot be reached; try again in a minute' }, { 'Retry-After': '30' });
      } else {
        options.onError?.(error, req.path());
        send(res, 500, { error: 'something went wrong on the server; it has been logged' });
      }
    }
  };

  server.get(`${API_BASE}/requests`, route(async (req, res) => {
    const queue = queueOf(req);
    const q = query(req);
    const limit = q.limit === undefined ? undefined : Number(q.limit);
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 200)) throw problem(400, '"limit" must be a whole number from 1 to 200');
    const filter = parseFilter({ status: q.status, kind: q.kind, org: q.org, queue });
    send(res, 200, await office.list(filter, { ...(limit ? { limit } : {}), ...(q.cursor ? { cursor: q.cursor } : {}) }));
  }));

  server.get(`${API_BASE}/requests/:reference`, route(async (req, res) => {
    const request = await requestFor(req, queueOf(req));
    const shown = await office.show(request.reference);
    if (!shown) throw problem(404, `there is no request ${request.reference}`);
    send(res, 200, shown, { ETag: etagOf(shown.version) });
  }));

  server.post(`${API_BASE}/requests/:reference/status`, route(async (req, res) => {
    const queue = queueOf(req);
    const body = jsonBody(req);
    const current = await requestFor(req, queue);
    const status = body.status;
    if (typeof status !== 'string' || !NAS_REQUEST_STATUSES.includes(status as NasRequestStatus)) {
      throw problem(400, `"status" must be one of ${NAS_REQUEST_STATUSES.join(', ')}`);
    }
    const by = text(body.by, 'by', MAX_NAME);
    if (!by) throw problem(400, '"by" must name who makes the change');
    const ifMatch = req.headers['if-match'];
    if (ifMatch === undefined) throw problem(428, 'send the ETag of the request as you read it in If-Match, so a change made since is not overwritten');
    const expected = versionFromIfMatch(String(ifMatch));
    if (expected === undefined) throw problem(400, 'If-Match must be the ETag of the request, e.g. "3"');
    const change = {
      status: status as NasRequestStatus,
      by,
      ...(text(body.reason, 'reason') ? { reason: text(body.reason, 'reason') } : {}),
      ...(text(body.question, 'question') ? { question: text(body.question, 'question') } : {}),
      ...(text(body.answer, 'answer') ? { answer: text(body.answer, 'answer') } : {}),
    };
    const result = await office.changeStatus(current.reference, change, expected);
    switch (result.outcome) {
      case 'updated':
        send(res, 200, { request: result.request, previous: result.previous, told: result.told, welcomeMessages: result.welcomeMessages }, { ETag: etagOf(result.request.version) });
        return;
      case 'notFound':
        throw problem(404, `there is no request ${current.reference}`);
      case 'stale':
        send(res, 409, { error: `${current.reference} has changed since you read it (now version ${result.request.version}, ${result.request.status}): read it again`, request: summaryView(result.request) }, { ETag: etagOf(result.request.version) });
        return;
      case 'invalid':
        send(res, 400, { error: result.message, problem: result.problem, allowed: result.allowed });
        return;
    }
  }));

  server.post(`${API_BASE}/queues/:queue/take`, route(async (req, res) => {
    const queue = queueOf(req);
    const wanted = String((req.params as Record<string, string> | undefined)?.queue ?? '');
    if (!(NAS_QUEUES as readonly string[]).includes(wanted)) throw problem(404, `there is no queue "${wanted.slice(0, 20)}": the queues are ${NAS_QUEUES.join(' and ')}`);
    if (wanted !== queue) throw problem(403, `this token is for the ${queue} queue`);
    const worker = text(jsonBody(req).worker, 'worker', MAX_NAME);
    if (!worker) throw problem(400, '"worker" must name who takes the request');
    const taken = await office.take(queue, worker);
    if (!taken) {
      send(res, 204);
      return;
    }
    send(res, 200, taken, { ETag: etagOf(taken.version) });
  }));

  server.get(`${API_BASE}/counts`, route(async (req, res) => {
    send(res, 200, await office.counts(queueOf(req)));
  }));

  server.get(`${API_BASE}/export`, route(async (req, res) => {
    const queue = queueOf(req);
    const q = query(req);
    const format = q.format ?? 'json';
    if (format !== 'csv' && format !== 'json') throw problem(400, '"format" must be csv or json');
    const filter = parseFilter({ status: q.status, kind: q.kind, org: q.org, queue });
    const rows: string[] = [];
    const all = [];
    for await (const request of office.all(filter)) {
      if (format === 'csv') rows.push(csvRow(summaryView(request)));
      else all.push(summaryView(request));
    }
    const name = `nas-${queue}-requests.${format}`;
    res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
    if (format === 'json') {
      send(res, 200, { requests: all });
      return;
    }
    const body = `${[csvHeader(), ...rows].join('\r\n')}\r\n`;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.writeHead(200);
    res.end(body);
  }));

  server.get(`${API_BASE}/stats`, route(async (req, res) => {
    queueOf(req);
    const q = query(req);
    send(res, 200, await office.stats({ ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}) }));
  }));
}
