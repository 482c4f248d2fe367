import { londonDay } from '../../adapters/serviceEvents';
import { RunningBot, startBot, startPrivateRedis } from '../helpers/bot';
import { newOdsCode, registration } from '../helpers/nasRequests';
import type { TestRedis } from '../helpers/redis';

const TOKEN = 'care:'.concat('k'.repeat(40));
const auth = { Authorization: `Bearer ${'k'.repeat(40)}` };

describe('the back office on the bot', () => {
  it('is off unless NAS_API_TOKENS is set', async () => {
    const bot = await startBot();
    try {
      expect((await fetch(`${bot.url}/nas/api/requests`, { headers: auth })).status).toBe(404);
      expect((await fetch(`${bot.url}/nas/`)).status).toBe(404);
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    } finally {
      await bot.close();
    }
  });

  describe.each([
    ['in memory', false],
    ['with Redis', true],
  ])('%s', (_name, withRedis) => {
    let redis: TestRedis | undefined;
    let bot: RunningBot;

    beforeAll(async () => {
      redis = withRedis ? await startPrivateRedis() : undefined;
      bot = await startBot({ NAS_API_TOKENS: TOKEN, ...(redis ? { REDIS_URL: redis.url } : {}) });
    });

    afterAll(async () => {
      await bot?.close();
      await redis?.stop();
    });

    it('lists what the flows submit, and counts it for the dashboard', async () => {
      const made = await bot.assistant.adapters.requests.submit(registration(newOdsCode(), { channelId: 'webchat' }));
      expect(made.outcome).toBe('created');
      const reference = made.outcome === 'created' ? made.request.reference : '';
      const list = (await (await fetch(`${bot.url}/nas/api/requests`, { headers: auth })).json()) as { requests: { reference: string }[] };
      expect(list.requests.map((r) => r.reference)).toContain(reference);
      await bot.assistant.events.flush();
      const today = londonDay(Date.now());
      const stats = (await (await fetch(`${bot.url}/nas/api/stats?from=${today}&to=${today}`, { headers: auth })).json()) as {
        totals: { requestsCreated: number };
        requestsPerDay: { byKind: Record<string, number> }[];
      };
      expect(stats.totals.requestsCreated).toBe(1);
      expect(stats.requestsPerDay[0]!.byKind).toEqual({ registration: 1 });
      const page = await fetch(`${bot.url}/nas/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    });
  });
});
