import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { LocalChannel } from '../../bench/localChannel';
import { createLogger } from '../../bot/logger';
import { checkNumber, RunningBot, startBot } from '../helpers/bot';
import { claims, newKey, offlineCredentials, OpenIdServer, serveOpenIdMetadata, SigningKey, token } from './helpers/tokens';

/**
 * Finding 6: every well-formed but bad JWT got 500, with a body naming the OpenID metadata host
 * it could not reach. The whole validation path now runs here, offline, against keys and
 * metadata served on loopback: every bad or unverifiable token gets 401, metadata that cannot be
 * fetched gets 503 with a log line, and no answer carries a stack or a host name.
 */

const APP_ID = '6f1e3a52-8c1b-4a43-9d8e-1c2b3a4d5e6f';

describe('Bot Framework authentication (MicrosoftAppId set)', () => {
  let key: SigningKey;
  let stranger: SigningKey;
  let metadata: OpenIdServer;
  let bot: RunningBot;
  let unreachable: RunningBot;
  let channel: LocalChannel;
  const logLines: string[] = [];
  let consoleError: jest.SpyInstance;

  beforeAll(async () => {
    // botbuilder itself writes rejected tokens to console.error.
    consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    key = newKey();
    stranger = newKey();
    metadata = await serveOpenIdMetadata([key]);
    channel = await LocalChannel.start({ channelId: 'msteams' });
    const env = { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-used-offline', HOST: '127.0.0.1' };
    const logger = createLogger('info', new Writable({ write: (chunk, _encoding, done) => (logLines.push(String(chunk)), done()) }));
    bot = await startBot(env, { logger, adapter: { openIdMetadataUrl: metadata.metadataUrl, credentialsFactory: offlineCredentials(APP_ID) } });
    // Nothing listens on port 9 of loopback: the metadata cannot be fetched.
    unreachable = await startBot(env, {
      logger,
      adapter: { openIdMetadataUrl: `http://127.0.0.1:9/${randomUUID()}/.well-known/openid-configuration`, credentialsFactory: offlineCredentials(APP_ID) },
    });
  });

  afterAll(async () => {
    await Promise.all([bot?.close(), unreachable?.close()]);
    await channel?.close();
    await metadata?.close();
    consoleError?.mockRestore();
  });

  const message = (conversationId = `a:${randomUUID()}`) => channel.message(conversationId, 'register');
  const valid = (activity: Record<string, unknown>, overrides: Record<string, unknown> = {}) =>
    `Bearer ${token(claims(APP_ID, String(activity.serviceUrl), overrides), { key })}`;

  const refused: [string, (activity: Record<string, unknown>) => string | undefined][] = [
    ['no Authorization header', () => undefined],
    ['garbage', () => 'Bearer this.is.not-a-jwt'],
    ['a Basic credential', () => 'Basic dXNlcjpwYXNz'],
    ['no scheme', (a) => valid(a).replace('Bearer ', '')],
    ['alg: none', (a) => `Bearer ${token(claims(APP_ID, String(a.serviceUrl)), { alg: 'none', kid: key.kid })}`],
    ['HS256 signed with the public key as the secret', (a) => `Bearer ${token(claims(APP_ID, String(a.serviceUrl)), { alg: 'HS256', kid: key.kid, secret: key.publicPem })}`],
    ['a key that is not in the metadata', (a) => `Bearer ${token(claims(APP_ID, String(a.serviceUrl)), { key: stranger })}`],
    ['another key claiming the known key id', (a) => `Bearer ${token(claims(APP_ID, String(a.serviceUrl)), { key: stranger, kid: key.kid })}`],
    ['an expired token', (a) => valid(a, { exp: Math.floor(Date.now() / 1000) - 3600, nbf: Math.floor(Date.now() / 1000) - 7200 })],
    ['a token not valid yet', (a) => valid(a, { nbf: Math.floor(Date.now() / 1000) + 3600 })],
    ['the wrong audience', (a) => valid(a, { aud: randomUUID() })],
    ['the wrong issuer', (a) => valid(a, { iss: 'https://api.botframework.example' })],
    ['another serviceUrl', (a) => valid(a, { serviceurl: 'https://smba.trafficmanager.net/evil/' })],
    ['a tampered payload', (a) => {
      const [header, , signature] = valid(a).slice('Bearer '.length).split('.');
      return `Bearer ${header}.${Buffer.from(JSON.stringify(claims(randomUUID(), String(a.serviceUrl)))).toString('base64url')}.${signature}`;
    }],
  ];

  it.each(refused)('%s: 401, no reply, nothing internal in the answer', async (_name, authorization) => {
    const activity = message();
    const result = await channel.send(bot.url, activity, authorization(activity) ? { authorization: authorization(activity)! } : {});
    expect(result.status).toBe(401);
    expect(JSON.parse(result.body)).toEqual({ error: 'the request is not authorized' });
    expect(result.replies).toEqual([]);
    expect(channel.transcript(String(activity.conversation?.id))).toEqual([]);
  });

  it('a good token: 200 and the conversation starts', async () => {
    const activity = message();
    const result = await channel.send(bot.url, activity, { authorization: valid(activity) });
    expect(result.status).toBe(200);
    expect(checkNumber(result)).toBe(1);
    expect(metadata.requests).toBeGreaterThan(0);
  });

  it('OpenID metadata that cannot be fetched: 503 and a log line, the host not in the answer', async () => {
    const activity = message();
    const result = await channel.send(unreachable.url, activity, { authorization: valid(activity) });
    expect(result.status).toBe(503);
    expect(Object.keys(JSON.parse(result.body))).toEqual(['error']);
    expect(JSON.parse(result.body).error).toBe('the request cannot be authenticated right now; try again later');
    const line = logLines.map((l) => JSON.parse(l)).find((l) => /OpenID metadata or signing keys cannot be fetched/.test(l.msg));
    expect(line?.level).toBe(50);
    expect(line?.err?.message).toBeTruthy();
  });

  it('health probes need no token', async () => {
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${bot.url}/readyz`)).status).toBe(200);
  });
});
