import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type * as restify from 'restify';

/** The back-office page (GET /nas/) and its assets, Chart.js among them (from node_modules). */

/** Beside this file (ts-node, jest), from dist/bot/backOffice, or under the working directory. */
function pageDirectory(): string | undefined {
  const candidates = [
    path.join(__dirname, 'page'),
    path.join(__dirname, '..', '..', '..', 'bot', 'backOffice', 'page'),
    path.join(process.cwd(), 'bot', 'backOffice', 'page'),
  ];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
}

function chartJsPath(): string | undefined {
  try {
    const file = path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js');
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/** This server only; no inline scripts or styles (Chart.js sizes its canvas through the CSSOM). */
export const BACK_OFFICE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

interface Asset {
  body: Buffer;
  gzipped?: Buffer;
  etag: string;
}

export function registerBackOfficePage(server: restify.Server): void {
  const dir = pageDirectory();
  const files: Record<string, { file: () => string | undefined; type: string; cacheControl: string }> = {
    '/nas/': { file: () => dir && path.join(dir, 'index.html'), type: 'text/html; charset=utf-8', cacheControl: 'no-cache' },
    '/nas/assets/page.css': { file: () => dir && path.join(dir, 'page.css'), type: 'text/css; charset=utf-8', cacheControl: 'no-cache' },
    '/nas/assets/page.js': { file: () => dir && path.join(dir, 'page.js'), type: 'text/javascript; charset=utf-8', cacheControl: 'no-cache' },
    '/nas/assets/chart.umd.js': { file: chartJsPath, type: 'text/javascript; charset=utf-8', cacheControl: 'public, max-age=86400' },
  };
  const cache = new Map<string, Asset>();
  const load = (route: string): Asset | undefined => {
    const file = files[route]!.file();
    if (!file || !existsSync(file)) return undefined;
    const stat = statSync(file);
    const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
    const cached = cache.get(route);
    if (cached?.etag === etag) return cached;
    const body = readFileSync(file);
    const asset: Asset = { body, etag, ...(body.length > 1024 ? { gzipped: gzipSync(body) } : {}) };
    cache.set(route, asset);
    return asset;
  };

  const serve = (route: string) => async (req: restify.Request, res: restify.Response) => {
    const asset = load(route);
    const spec = files[route]!;
    if (!asset) {
      res.send(404, { error: 'the back-office page is not installed (bot/backOffice/page or chart.js is missing)' });
      return;
    }
    res.setHeader('Content-Type', spec.type);
    res.setHeader('Cache-Control', spec.cacheControl);
    res.setHeader('ETag', asset.etag);
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (route === '/nas/') {
      res.setHeader('Content-Security-Policy', BACK_OFFICE_CSP);
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
  };

  for (const route of Object.keys(files)) server.get(route, serve(route));
  server.get('/nas', async (_req, res) => {
    res.setHeader('Location', '/nas/');
    res.writeHead(301);
    res.end();
  });
}
