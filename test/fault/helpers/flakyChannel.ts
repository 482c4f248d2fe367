import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A serviceUrl in front of a local channel that can refuse the bot's replies (as a channel that
 * is down, or rejects the message, would), hold them without answering, or pass them on.
 */
export interface FlakyChannel {
  serviceUrl: string;
  /** 'pass': forward; a status: answer it without forwarding; 'hang': never answer. */
  mode: 'pass' | 'hang' | number;
  /** Replies (activity POSTs) that reached this serviceUrl, forwarded or not. */
  posts: number;
  close(): Promise<void>;
}

export async function startFlakyChannel(target: string): Promise<FlakyChannel> {
  const hanging = new Set<http.ServerResponse>();
  const flaky = { mode: 'pass', posts: 0 } as FlakyChannel;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && /\/activities/.test(req.url ?? '')) flaky.posts++;
      const mode = flaky.mode;
      if (mode === 'hang') {
        hanging.add(res);
        return;
      }
      if (typeof mode === 'number') {
        res.writeHead(mode, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'Refused', message: 'refused by the test channel' } }));
        return;
      }
      const forward = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      forward.end(Buffer.concat(chunks));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  flaky.serviceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  flaky.close = async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return flaky;
}
