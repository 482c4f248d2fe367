import type { AddressInfo } from 'node:net';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import * as restify from 'restify';
import { registerBackOffice, BackOfficeSetup } from '../../bot/backOffice';
import { openApiDocument } from '../../bot/backOffice/openapi';
import { MAX_BODY_BYTES } from '../../bot/server';

/** A bare restify server with the back office on it, as bot/server.ts mounts it. */
export async function startBackOfficeServer(setup: BackOfficeSetup): Promise<{ url: string; close(): Promise<void>; on: boolean }> {
  const server = restify.createServer({ name: 'back-office-test', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false, mapFiles: false, rejectUnknown: false }));
  const on = registerBackOffice(server, setup);
  server.on('restifyError', (_req, _res, error, callback) => {
    error.toJSON = () => ({ error: error.message });
    return callback();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    on,
    close: async () => {
      (server.server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Seen {
  method: string;
  /** The route as the OpenAPI document names it: /nas/api/requests/{reference}. */
  template: string;
  status: number;
  contentType: string;
  body: unknown;
}

/** The document's route for a path: references and queues become their parameters. */
export function templateOf(path: string): string {
  const bare = path.split('?')[0]!;
  return bare
    .replace(/^\/nas\/api\/requests\/[^/]+(\/status)?$/, (_m, status: string | undefined) => `/nas/api/requests/{reference}${status ?? ''}`)
    .replace(/^\/nas\/api\/queues\/[^/]+\/take$/, '/nas/api/queues/{queue}/take');
}

/** Calls the API and remembers what it answered, to check against the OpenAPI document. */
export class ApiClient {
  readonly seen: Seen[] = [];

  constructor(
    public url: string,
    public token?: string,
  ) {}

  async call(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; token?: string | null } = {}) {
    const token = options.token === null ? undefined : (options.token ?? this.token);
    const headers: Record<string, string> = { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(options.headers ?? {}) };
    if (options.body !== undefined && !headers['Content-Type']) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    const contentType = response.headers.get('content-type') ?? '';
    const text = await response.text();
    const body = contentType.includes('json') && text ? (JSON.parse(text) as unknown) : text;
    this.seen.push({ method: method.toLowerCase(), template: templateOf(path), status: response.status, contentType, body });
    return { status: response.status, body: body as Record<string, any>, headers: response.headers, text };
  }
}

type Operation = { responses: Record<string, { content?: Record<string, { schema: unknown }> }> };

/** Every route, status and JSON body seen, checked against the OpenAPI document: the problems found. */
export function openApiProblems(seen: readonly Seen[]): string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'nas', components: openApiDocument.components } as object);
  const problems: string[] = [];
  const paths = openApiDocument.paths as unknown as Record<string, Record<string, Operation>>;
  for (const s of seen) {
    const operation = paths[s.template]?.[s.method];
    if (!operation) {
      problems.push(`${s.method.toUpperCase()} ${s.template} is not in the document`);
      continue;
    }
    const response = operation.responses[String(s.status)];
    if (!response) {
      problems.push(`${s.method.toUpperCase()} ${s.template} answered ${s.status}, which the document does not list`);
      continue;
    }
    if (!s.contentType.includes('json')) continue;
    const schema = response.content?.['application/json']?.schema;
    if (!schema) {
      problems.push(`${s.method.toUpperCase()} ${s.template} ${s.status} answered JSON the document does not describe`);
      continue;
    }
    const resolved = JSON.parse(JSON.stringify(schema).replace(/"#\/components/g, '"nas#/components'));
    const validate = ajv.compile(resolved);
    if (!validate(s.body)) problems.push(`${s.method.toUpperCase()} ${s.template} ${s.status}: ${ajv.errorsText(validate.errors)}`);
  }
  return problems;
}
