import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type * as restify from 'restify';

/** The web chat page (GET /) and its assets, served by the bot itself. */

/**
 * Where bot/webchat is: beside this folder when run with ts-node or jest, ../../../bot/webchat
 * from dist/bot/directLine, or under the working directory (a build elsewhere, started from the
 * repository).
 */
function pageDirectory(): string | undefined {
  const candidates = [path.join(__dirname, '..', 'webchat'), path.join(__dirname, '..', '..', '..', 'bot', 'webchat'), path.join(process.cwd(), 'bot', 'webchat')];
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
