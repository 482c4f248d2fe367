import type { AddressInfo } from 'node:net';
import { MemoryDirectLineState } from '../../adapters/memoryDirectLineState';
import { createAssistant } from '../../bot/app';
import { loadConfig } from '../../bot/config';
import { createLogger } from '../../bot/logger';
import { createAdapter, createServer } from '../../bot/server';
import { fakeClock } from '../helpers/clock';
import { LoopbackAnswer as Answer, requestFrom as request } from '../helpers/loopbackClient';

/**
 * The anonymous web chat against a flood (issue: 499 token requests made every new visitor get
 * 503 for two minutes, and repeating the flood kept them out). Each "visitor" below comes from a
 * loopback address of its own (127.0.0.0/8 all reaches this machine), as different networks would.
 */

/** A visitor opening the page: a token, then the conversation started (the bot greets). */
async function visit(url: string, from: string, headers: Record<string, string> = {}): Promise<{ token: Answer; start?: Answer }> {
  const token = await request(url, from, 'POST', '/v3/directline/tokens/generate', { json: {}, headers });
  if (token.status !== 200) return { token };
  const start = await request(url, from, 'POST', '/v3/directline/conversations', { token: String(token.body.token), json: {}, headers });
  return { token, start };
}

async function startServer(env: Record<string, string> = {}, maxConversations = 100) {
  const config = loadConfig({ LOG_LEVEL: 'silent', ...env });
  const logger = createLogger('silent');
  const clock = fakeClock(Date.now());
  const assistant = createAssistant(config, logger);
  // The channel's clock is the test's, so minutes pass at once; the bot keeps real time.
  assistant.webChat.state = new MemoryDirectLineState({ now: clock.now, limits: { maxConversations } });
  const server = createServer({ adapter: createAdapter(config, logger), bot: assistant.bot, store: assistant.store, logger, webChat: assistant.webChat });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    (server.server as unknown as { closeAllConnections(): void }).closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await assistant.close();
  };
  return { url, clock, state: assistant.webChat.state, close };
}

describe('the anonymous web chat under a flood of token requests', () => {
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('499 visits from one address take a handful of places; a new visitor from elsewhere gets in; repeating the flood does not keep them out', async () => {
    const flood = async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 499; i++) {
        const { token, start } = await visit(server.url, '127.0.0.2');
        statuses.push(start?.status ?? token.status);
      }
      return statuses;
    };
    const first = await flood();
    const started = first.filter((s) => s === 201).length;
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThanOrEqual(20);
    expect(first.filter((s) => s === 429).length).toBe(499 - started);
    expect(await server.state.count()).toBe(started);

    // The refusal says why and when to try again.
    const refused = await request(server.url, '127.0.0.2', 'POST', '/v3/directline/tokens/generate', { json: {} });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatch(/too many new conversations.*your network/i);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    const visitor = await visit(server.url, '127.0.0.3');
    expect(visitor.token.status).toBe(200);
    expect(visitor.start?.status).toBe(201);

    // Two minutes later, the same flood again: a couple more, and still room for everyone else.
    server.clock.advance(2 * 60 * 1000);
    const second = await flood();
    expect(second.filter((s) => s === 201).length).toBeLessThanOrEqual(5);
    const later = await visit(server.url, '127.0.0.4');
    expect(later.start?.status).toBe(201);
  }, 120_000);

  it('reclaims places: when every place is taken, the ones left alone for two minutes make room', async () => {
    const small = await startServer({}, 10);
    try {
      // Ten visitors from ten networks fill every place.
      for (let i = 0; i < 10; i++) expect((await visit(small.url, `127.0.1.${i + 1}`)).start?.status).toBe(201);
      const refused = await visit(small.url, '127.0.2.1');
      expect(refused.start?.status).toBe(503);
      expect(refused.start?.headers['retry-after']).toBe('60');
      small.clock.advance(2 * 60 * 1000);
      expect((await visit(small.url, '127.0.2.1')).start?.status).toBe(201);
      expect(await small.state.count()).toBe(10);
    } finally {
      await small.close();
    }
  });
});

describe('the client address behind a proxy (WEBCHAT_TRUSTED_PROXIES)', () => {
  it('counts by the address the trusted proxy saw, not by the proxy; never trusts a header it was not told to', async () => {
    const proxied = await startServer({ WEBCHAT_TRUSTED_PROXIES: '1' });
    const direct = await startServer();
    try {
      // Behind one proxy (all from 127.0.0.5), two networks: each has its own allowance.
      const from = (client: string) => ({ 'x-forwarded-for': `203.0.113.9, ${client}` });
      for (let i = 0; i < 20; i++) expect((await visit(proxied.url, '127.0.0.5', from('198.51.100.1'))).token.status).toBe(200);
      expect((await visit(proxied.url, '127.0.0.5', from('198.51.100.1'))).token.status).toBe(429);
      expect((await visit(proxied.url, '127.0.0.5', from('198.51.100.2'))).token.status).toBe(200);
      // IPv6 clients are counted by their /64 network.
      for (let i = 0; i < 20; i++) expect((await visit(proxied.url, '127.0.0.5', from(`2001:db8:1:2::${i + 1}`))).token.status).toBe(200);
      expect((await visit(proxied.url, '127.0.0.5', from('2001:db8:1:2:ffff::1'))).token.status).toBe(429);
      expect((await visit(proxied.url, '127.0.0.5', from('2001:db8:1:3::1'))).token.status).toBe(200);

      // Without a trusted proxy, X-Forwarded-For is whatever the caller wrote: ignored.
      for (let i = 0; i < 20; i++) expect((await visit(direct.url, '127.0.0.6', { 'x-forwarded-for': `198.51.100.${i}` })).token.status).toBe(200);
      expect((await visit(direct.url, '127.0.0.6', { 'x-forwarded-for': '198.51.100.99' })).token.status).toBe(429);
    } finally {
      await Promise.all([proxied.close(), direct.close()]);
    }
  }, 60_000);
});
