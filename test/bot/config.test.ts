import { ConfigError, listenHost, loadConfig, outboxFile } from '../../bot/config';

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
    expect(loadConfig({})).toEqual({ PORT: 3978, MicrosoftAppType: 'MultiTenant', STATE_TTL_DAYS: 30, LOG_LEVEL: 'info' });
  });

  it('listens on this machine only without authentication, everywhere with it, or where told', () => {
    expect(listenHost(loadConfig({}))).toBe('127.0.0.1');
    expect(listenHost(loadConfig({ MicrosoftAppId: 'id', MicrosoftAppPassword: 'secret' }))).toBe('0.0.0.0');
    expect(listenHost(loadConfig({ HOST: '::1' }))).toBe('::1');
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
    });
    expect(config).toMatchObject({
      PORT: 8080,
      REDIS_URL: 'redis://127.0.0.1:6379/2',
      STATE_TTL_DAYS: 7.5,
      LOG_LEVEL: 'debug',
      OUTBOX_FILE: '/tmp/outbox.jsonl',
      CHAT_CONVERSATION_ID: 'terminal-jane',
    });
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
