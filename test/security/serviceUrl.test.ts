import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalChannel } from '../../bench/localChannel';
import { loadConfig, serviceUrlHosts } from '../../bot/config';
import { hostAllowed } from '../../bot/outbound';
import { checkNumber, RunningBot, startBot } from '../helpers/bot';
import { FlakyChannel, startFlakyChannel } from '../fault/helpers/flakyChannel';

/**
 * Finding 5: in Emulator mode the caller chose where the bot sends its requests (any
 * serviceUrl), and a target that never answered held the request over 60 s. Now replies go only
 * to allowed hosts (loopback by default in Emulator mode), every call to a channel times out
 * after OUTBOUND_TIMEOUT_MS, follows no redirect, and is not retried after a 4xx.
 */

describe('which serviceUrl hosts replies may go to', () => {
  const table: [string, string[] | undefined, boolean][] = [
    ['http://127.0.0.1:3978/', ['localhost', '127.0.0.1', '::1'], true],
    ['http://localhost/', ['localhost', '127.0.0.1', '::1'], true],
    ['http://[::1]:8080/', ['localhost', '127.0.0.1', '::1'], true],
    ['http://LOCALHOST/', ['localhost'], true],
    ['http://127.0.0.2/', ['localhost', '127.0.0.1', '::1'], false],
    ['http://169.254.169.254/latest/meta-data/', ['localhost', '127.0.0.1', '::1'], false],
    ['https://smba.trafficmanager.net/emea/', ['smba.trafficmanager.net'], true],
    ['https://eu.smba.trafficmanager.net/', ['*.trafficmanager.net'], true],
    ['https://trafficmanager.net/', ['*.trafficmanager.net'], false],
    ['https://evil-trafficmanager.net/', ['*.trafficmanager.net'], false],
    ['https://smba.trafficmanager.net.evil.example/', ['smba.trafficmanager.net'], false],
    ['https://anything.example/', undefined, true],
    ['not a url', ['localhost'], false],
  ];
  it.each(table)('%s with %j: %s', (url, hosts, allowed) => expect(hostAllowed(url, hosts)).toBe(allowed));

  it('defaults to this machine in Emulator mode, to what the token vouches for with an app id, and reads SERVICE_URL_HOSTS', () => {
    expect(serviceUrlHosts(loadConfig({}))).toEqual(['localhost', '127.0.0.1', '::1']);
    expect(serviceUrlHosts(loadConfig({ MicrosoftAppId: 'id', MicrosoftAppPassword: 'p' }))).toBeUndefined();
    expect(serviceUrlHosts(loadConfig({ SERVICE_URL_HOSTS: ' smba.trafficmanager.net, *.botframework.com ' }))).toEqual(['smba.trafficmanager.net', '*.botframework.com']);
    expect(() => loadConfig({ SERVICE_URL_HOSTS: 'https://x.example/' })).toThrow(/SERVICE_URL_HOSTS must be a comma-separated list of host names/);
  });
});

describe('calls to the channel', () => {
  let bot: RunningBot;
  let localhostOnly: RunningBot;
  let channel: LocalChannel;
  let flaky: FlakyChannel;
  /** A server the bot must never reach (the target of a redirect). */
  let elsewhere: http.Server;
  let elsewhereHits = 0;

  beforeAll(async () => {
    channel = await LocalChannel.start();
    flaky = await startFlakyChannel(channel.serviceUrl);
    elsewhere = http.createServer((_req, res) => {
      elsewhereHits++;
      res.end('{}');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    [bot, localhostOnly] = await Promise.all([startBot({ OUTBOUND_TIMEOUT_MS: '1000' }), startBot({ SERVICE_URL_HOSTS: 'localhost' })]);
  });
  afterEach(() => {
    flaky.mode = 'pass';
  });
  afterAll(async () => {
    await Promise.all([bot?.close(), localhostOnly?.close()]);
    await flaky?.close();
    await channel?.close();
    elsewhere.closeAllConnections();
    await new Promise((resolve) => elsewhere.close(resolve));
  });

  const via = (serviceUrl: string, text = 'register') => channel.message(`conv-${randomUUID()}`, text, { serviceUrl });

  it.each(['http://10.11.12.13:8080/', 'http://169.254.169.254/', 'https://example.com/', 'http://127.0.0.2:9/'])(
    'Emulator mode: a serviceUrl of %s is refused (403) before any turn',
    async (serviceUrl) => {
      const started = Date.now();
      const result = await channel.send(bot.url, via(serviceUrl));
      expect(result.status).toBe(403);
      expect(JSON.parse(result.body).error).toMatch(/serviceUrl host/);
      expect(Date.now() - started).toBeLessThan(1_000);
    },
  );

  it('SERVICE_URL_HOSTS decides: localhost allowed, 127.0.0.1 refused', async () => {
    const port = new URL(channel.serviceUrl).port;
    expect((await channel.send(localhostOnly.url, via(`http://127.0.0.1:${port}/`))).status).toBe(403);
    const allowed = await channel.send(localhostOnly.url, via(`http://localhost:${port}/`));
    expect(allowed.status).toBe(200);
    expect(checkNumber(allowed)).toBe(1);
  });

  it('a target that never answers holds the turn for about OUTBOUND_TIMEOUT_MS, once', async () => {
    flaky.mode = 'hang';
    const before = flaky.posts;
    const started = Date.now();
    const result = await channel.send(bot.url, via(flaky.serviceUrl));
    const took = Date.now() - started;
    // Saved, the reply kept for a redelivery (see test/fault/lostReply.test.ts): a 200.
    expect(result.status).toBe(200);
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(5_000);
    expect(flaky.posts - before).toBe(1);
  }, 30_000);

  it.each([400, 403, 404, 429])('a target that answers %i is not tried again', async (status) => {
    flaky.mode = status;
    const before = flaky.posts;
    const result = await channel.send(bot.url, via(flaky.serviceUrl));
    expect(result.status).toBe(200);
    expect(flaky.posts - before).toBe(1);
  });

  it('a target that answers 502 is tried once more, and no more', async () => {
    flaky.mode = 502;
    const before = flaky.posts;
    await channel.send(bot.url, via(flaky.serviceUrl));
    expect(flaky.posts - before).toBe(2);
  });

  it('a redirect is not followed', async () => {
    const redirecting = http.createServer((req, res) => {
      req.resume();
      res.writeHead(307, { location: `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}${req.url}` });
      res.end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    try {
      const result = await channel.send(bot.url, via(`http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/`));
      expect(result.status).toBe(200);
      expect(elsewhereHits).toBe(0);
    } finally {
      redirecting.closeAllConnections();
      await new Promise((resolve) => redirecting.close(resolve));
    }
  });
});
