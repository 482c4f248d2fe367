import { loadConfig, webChatEnabled } from '../../bot/config';
import { RunningBot, startBot, statusOf } from '../helpers/bot';

/**
 * WEBCHAT_ENABLED turns the anonymous web chat page and its Direct Line routes on or off. Unset,
 * it is on only in Emulator mode: a bot that authenticates Teams traffic does not also open an
 * unauthenticated channel unless told to.
 */

const APP = { MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'not-a-real-secret' };

describe('WEBCHAT_ENABLED', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    [' yes ', true],
    ['on', true],
    ['1', true],
    ['false', false],
    ['No', false],
    ['off', false],
    ['0', false],
  ])('reads %p as %p', (value, expected) => {
    expect(loadConfig({ WEBCHAT_ENABLED: value }).WEBCHAT_ENABLED).toBe(expected);
  });

  it.each(['maybe', 'enabled', '2', 'tru', 'true!'])('refuses %p, naming the variable and what it takes', (value) => {
    expect(() => loadConfig({ WEBCHAT_ENABLED: value })).toThrow(new RegExp(`WEBCHAT_ENABLED must be true or false \\(got "${value}"\\)`));
  });

  it('defaults to on in Emulator mode and off with an app id; an explicit value wins either way', () => {
    expect(webChatEnabled(loadConfig({}))).toBe(true);
    expect(webChatEnabled(loadConfig({ WEBCHAT_ENABLED: '' }))).toBe(true);
    expect(webChatEnabled(loadConfig(APP))).toBe(false);
    expect(webChatEnabled(loadConfig({ ...APP, WEBCHAT_ENABLED: 'true' }))).toBe(true);
    expect(webChatEnabled(loadConfig({ WEBCHAT_ENABLED: 'false' }))).toBe(false);
  });

  it.each([
    ['-1', /WEBCHAT_TRUSTED_PROXIES must be a whole number from 0 to 10/],
    ['1.5', /WEBCHAT_TRUSTED_PROXIES must be a whole number from 0 to 10/],
    ['eleven', /WEBCHAT_TRUSTED_PROXIES must be a whole number from 0 to 10/],
    ['11', /WEBCHAT_TRUSTED_PROXIES must be a whole number from 0 to 10/],
  ])('WEBCHAT_TRUSTED_PROXIES refuses %p', (value, problem) => {
    expect(() => loadConfig({ WEBCHAT_TRUSTED_PROXIES: value })).toThrow(problem);
  });

  it('WEBCHAT_TRUSTED_PROXIES takes 0 to 10, unset meaning none', () => {
    expect(loadConfig({}).WEBCHAT_TRUSTED_PROXIES).toBeUndefined();
    expect(loadConfig({ WEBCHAT_TRUSTED_PROXIES: '0' }).WEBCHAT_TRUSTED_PROXIES).toBe(0);
    expect(loadConfig({ WEBCHAT_TRUSTED_PROXIES: '2' }).WEBCHAT_TRUSTED_PROXIES).toBe(2);
  });
});

describe('the web chat routes, on and off', () => {
  const ROUTES: [string, string][] = [
    ['GET', '/'],
    ['GET', '/webchat/page.js'],
    ['POST', '/v3/directline/tokens/generate'],
    ['POST', '/v3/directline/conversations'],
    ['POST', '/directline/connector/v3/conversations/x/activities'],
  ];
  const statuses = async (bot: RunningBot) => {
    const out: number[] = [];
    for (const [method, path] of ROUTES) {
      const response = await fetch(`${bot.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined });
      await response.text();
      out.push(response.status);
    }
    return out;
  };

  it('with an app id and nothing said, the page and its channel do not exist (404); /api/messages and health still answer', async () => {
    const bot = await startBot(APP);
    try {
      expect(await statuses(bot)).toEqual([404, 404, 404, 404, 404]);
      expect(await statusOf(bot.url, '/healthz')).toBe(200);
    } finally {
      await bot.close();
    }
  });

  it('WEBCHAT_ENABLED=false turns it off in Emulator mode too; on by default there', async () => {
    const off = await startBot({ WEBCHAT_ENABLED: 'false' });
    const on = await startBot();
    try {
      expect(await statuses(off)).toEqual([404, 404, 404, 404, 404]);
      const [page, script, token, start, connector] = await statuses(on);
      expect([page, script, token]).toEqual([200, 200, 200]);
      expect(start).toBe(401); // no token
      expect(connector).toBe(401); // not the bot
    } finally {
      await Promise.all([off.close(), on.close()]);
    }
  });
});
