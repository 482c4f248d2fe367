import { httpTimeouts, ConfigError, listenHost, loadConfig, outboxFile } from '../../bot/config';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration from the environment', () => {
  it('has working defaults: port 3978, memory state, 30 days, info logs, no authentication', () => {
    expect(loadConfig({})).toMatchObject({ PORT: 3978, MicrosoftAppType: 'MultiTenant', STATE_TTL_DAYS: 30, LOG_LEVEL: 'info' });
    expect(httpTimeouts(loadConfig({}))).toEqual({ keepAliveTimeoutMs: 245_000, headersTimeoutMs: 250_000 });
    expect(httpTimeouts(loadConfig({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000', HTTP_HEADERS_TIMEOUT_MS: '70000' }))).toEqual({ keepAliveTimeoutMs: 65_000, headersTimeoutMs: 70_000 });
    expect(loadConfig({})).toMatchObject({ RATE_LIMIT_PER_MINUTE: 30, RATE_LIMIT_BURST: 10, USER_RATE_LIMIT_PER_MINUTE: 60, CONVERSATION_QUEUE_MAX: 10 });
    expect(loadConfig({})).toMatchObject({ NAS_RETENTION_DAYS: 730 });
  });

  it('listens on this machine only without authentication, everywhere with it, or where told', () => {
    expect(listenHost(loadConfig({}))).toBe('127.0.0.1');
    expect(listenHost(loadConfig({ MicrosoftAppId: 'id', MicrosoftAppPassword: 'secret' }))).toBe('0.0.0.0');
    expect(listenHost(loadConfig({ HOST: '::1' }))).toBe('::1');
    // Without an app id, beyond loopback only when told so.
    expect(listenHost(loadConfig({ HOST: '127.0.0.2' }))).toBe('127.0.0.2');
    expect(listenHost(loadConfig({ HOST: 'localhost' }))).toBe('localhost');
    expect(listenHost(loadConfig({ HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED: 'true' }))).toBe('0.0.0.0');
    expect(listenHost(loadConfig({ HOST: '0.0.0.0', MicrosoftAppId: 'id', MicrosoftAppPassword: 'p' }))).toBe('0.0.0.0');
    expect(problems({ HOST: 'not a host!' })[0]).toMatch(/^HOST must be an IP address or host name/);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', REDIS_URL: ' ', MicrosoftAppId: '' }).PORT).toBe(3978);
  });

  it('reads every setting', () => {
    const config = loadConfig({
      PORT: '8080',
      MicrosoftAppId: '00000000-0000-0000-0000-000000000001',
      MicrosoftAppPassword: 'secret',
      MicrosoftAppType: 'SingleTenant',
      MicrosoftAppTenantId: 'tenant',
      REDIS_URL: 'redis://127.0.0.1:6379/2',
      STATE_TTL_DAYS: '7.5',
      LOG_LEVEL: 'debug',
      OUTBOX_FILE: ' /tmp/outbox.jsonl ',
      CHAT_CONVERSATION_ID: 'terminal-jane',
      RATE_LIMIT_PER_MINUTE: '0',
      RATE_LIMIT_BURST: '5',
      USER_RATE_LIMIT_PER_MINUTE: '120',
      USER_RATE_LIMIT_BURST: '30',
      CONVERSATION_QUEUE_MAX: '3',
      NAS_RETENTION_DAYS: '3650',
    });
    expect(config).toMatchObject({ PORT: 8080, REDIS_URL: 'redis://127.0.0.1:6379/2', STATE_TTL_DAYS: 7.5, LOG_LEVEL: 'debug' });
    expect(config).toMatchObject({ RATE_LIMIT_PER_MINUTE: 0, RATE_LIMIT_BURST: 5, USER_RATE_LIMIT_PER_MINUTE: 120, USER_RATE_LIMIT_BURST: 30, CONVERSATION_QUEUE_MAX: 3 });
    expect(config).toMatchObject({ NAS_RETENTION_DAYS: 3650 });
    expect(config).toMatchObject({ OUTBOX_FILE: '/tmp/outbox.jsonl', CHAT_CONVERSATION_ID: 'terminal-jane' });
    expect(outboxFile(config)).toBe('/tmp/outbox.jsonl');
    expect(outboxFile(loadConfig({}))).toBe(`${process.cwd()}/.data/outbox.jsonl`);
  });

  const bad: [Record<string, string>, RegExp][] = [
    [{ PORT: 'abc' }, /^PORT must be a whole number from 1 to 65535 \(got "abc"\)$/],
    [{ PORT: '0' }, /^PORT must be a whole number/],
    [{ PORT: '70000' }, /^PORT must be a whole number/],
    [{ PORT: '80.5' }, /^PORT must be a whole number/],
    [{ REDIS_URL: 'localhost:6379' }, /^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ REDIS_URL: 'http://127.0.0.1:6379' }, /^REDIS_URL must be a redis:\/\//],
    [{ STATE_TTL_DAYS: '0' }, /^STATE_TTL_DAYS must be a number of days greater than 0/],
    [{ STATE_TTL_DAYS: 'thirty' }, /^STATE_TTL_DAYS must be a number of days/],
    [{ STATE_TTL_DAYS: '-3' }, /^STATE_TTL_DAYS must be a number of days/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/],
    [{ RATE_LIMIT_PER_MINUTE: '-1' }, /^RATE_LIMIT_PER_MINUTE must be a whole number of messages a minute per conversation \(0 turns the limit off\), from 0 to 10000 \(got "-1"\)$/],
    [{ RATE_LIMIT_PER_MINUTE: 'lots' }, /^RATE_LIMIT_PER_MINUTE must be a whole number/],
    [{ RATE_LIMIT_BURST: '0' }, /^RATE_LIMIT_BURST must be a whole number of messages at once per conversation, from 1 to 1000/],
    [{ USER_RATE_LIMIT_PER_MINUTE: '2.5' }, /^USER_RATE_LIMIT_PER_MINUTE must be a whole number/],
    [{ USER_RATE_LIMIT_BURST: '1001' }, /^USER_RATE_LIMIT_BURST must be a whole number/],
    [{ CONVERSATION_QUEUE_MAX: '0' }, /^CONVERSATION_QUEUE_MAX must be a whole number of messages of one conversation waiting their turn, from 1 to 1000/],
    [{ NAS_RETENTION_DAYS: '0' }, /^NAS_RETENTION_DAYS must be a whole number of days from 1 to 36500 \(got "0"\)$/],
    [{ NAS_RETENTION_DAYS: 'two years' }, /^NAS_RETENTION_DAYS must be a whole number of days/],
    [{ NAS_RETENTION_DAYS: '365.5' }, /^NAS_RETENTION_DAYS must be a whole number of days/],
    [{ HTTP_KEEP_ALIVE_TIMEOUT_MS: '500' }, /^HTTP_KEEP_ALIVE_TIMEOUT_MS must be a whole number of milliseconds an idle keep-alive connection is kept, from 1000 to 3600000/],
    [{ HTTP_KEEP_ALIVE_TIMEOUT_MS: '60000', HTTP_HEADERS_TIMEOUT_MS: '60000' }, /^HTTP_HEADERS_TIMEOUT_MS must be greater than HTTP_KEEP_ALIVE_TIMEOUT_MS/],
    [{ OUTBOX_RETENTION_HOURS: '0' }, /^OUTBOX_RETENTION_HOURS must be a whole number of hours the outbox keeps what a message says, from 1 to 720/],
    [{ OUTBOUND_TIMEOUT_MS: '50' }, /^OUTBOUND_TIMEOUT_MS must be a whole number of milliseconds a call to the channel may take, from 100 to 60000/],
    [{ HOST: '0.0.0.0' }, /^HOST 0\.0\.0\.0 would let anyone who can reach this machine talk to the bot without authentication: set MicrosoftAppId and MicrosoftAppPassword, listen on loopback \(127\.0\.0\.1\), or set ALLOW_UNAUTHENTICATED=true$/],
    [{ HOST: '10.0.0.5' }, /^HOST 10\.0\.0\.5 would let anyone/],
    [{ HOST: '127.0.0.1', ALLOW_UNAUTHENTICATED: 'yes' }, /^ALLOW_UNAUTHENTICATED must be true or false/],
    [{ MicrosoftAppType: 'Multi' }, /^MicrosoftAppType must be one of MultiTenant, SingleTenant, UserAssignedMSI/],
    [{ CHAT_CONVERSATION_ID: 'two words' }, /^CHAT_CONVERSATION_ID must be 1 to 100 letters, digits or \. _ - : @ \(got "two words"\)$/],
    [{ CHAT_CONVERSATION_ID: 'x'.repeat(101) }, /^CHAT_CONVERSATION_ID must be 1 to 100/],
    [{ OUTBOX_FILE: 'x'.repeat(4097) }, /^OUTBOX_FILE must be a file path of at most 4096 characters/],
    [{ MicrosoftAppId: 'abc' }, /^MicrosoftAppPassword must be set when MicrosoftAppId is set$/],
    [
      { MicrosoftAppId: 'abc', MicrosoftAppPassword: 'x', MicrosoftAppType: 'SingleTenant' },
      /^MicrosoftAppTenantId must be set when MicrosoftAppType is SingleTenant$/,
    ],
  ];
  it.each(bad)('%j is refused with a message naming the variable', (env, message) => {
    const found = problems(env);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  it('lists every problem at once, and never prints the password', () => {
    const found = problems({ PORT: 'x', LOG_LEVEL: 'y', MicrosoftAppId: 'id', MicrosoftAppPassword: '', MicrosoftAppType: 'SingleTenant' });
    expect(found.map((p) => p.split(' ')[0]).sort()).toEqual(['LOG_LEVEL', 'MicrosoftAppPassword', 'MicrosoftAppTenantId', 'PORT']);
    expect(() => loadConfig({ PORT: 'x' })).toThrow(/Invalid configuration:\n {2}- PORT/);
  });
});
