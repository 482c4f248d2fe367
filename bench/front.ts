import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A front for several bot instances, as a load balancer that is not sticky: each HTTP request
 * goes to the next instance in turn (round robin), whatever conversation it belongs to. It adds
 * X-Forwarded-For and X-Forwarded-Proto as a load balancer does. Loopback only; used by the
 * scale tests and the benchmark.
 */

export interface Front {
  url: string;
  port: number;
  /** Requests sent to each backend, in the order of `backends`. */
  served: number[];
  /** Requests that no backend answered (502). */
  failed: number;
  close(): Promise<void>;
}

/** Hop-by-hop headers a proxy must not pass on (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

export async function startFront(backends: string[], options: { timeoutMs?: number } = {}): Promise<Front> {
  if (backends.length === 0) throw new Error('a front needs at least one backend');
  const targets = backends.map((url) => new URL(url));
  // Kept-alive connections to the instances, as a load balancer keeps them. With an agent
  // timeout set, node also honours the server's "Keep-Alive: timeout=N" and lets an idle
  // connection go a second before the server would (reusing one the server is closing is a 502).
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1_024, timeout: 120_000 });
  const timeoutMs = options.timeoutMs ?? 60_000;
  let next = 0;
  const front: Front = { url: '', port: 0, served: backends.map(() => 0), failed: 0, close: async () => undefined };

  const server = http.createServer((req, res) => {
    const index = next++ % targets.length;
    front.served[index]!++;
    const target = targets[index]!;
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    const client = req.socket.remoteAddress ?? '';
    headers['x-forwarded-for'] = req.headers['x-forwarded-for'] ? `${req.headers['x-forwarded-for']}, ${client}` : client;
    headers['x-forwarded-proto'] = 'http';
    headers.host = target.host;
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent, timeout: timeoutMs },
      (answer) => {
        const out: http.OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
        res.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(res);
      },
    );
    const fail = () => {
      upstream.destroy();
      if (res.headersSent) {
        res.destroy();
        return;
      }
      front.failed++;
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{"error":"no answer from the instance"}');
    };
    upstream.on('timeout', fail);
    upstream.on('error', fail);
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  front.port = port;
  front.url = `http://127.0.0.1:${port}`;
  front.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    agent.destroy();
  };
  return front;
}
