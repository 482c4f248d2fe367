import http from 'node:http';
import { RunningBot, startBot } from '../helpers/bot';

/**
 * Finding 10: idle keep-alive sockets were closed after Node's default 5 s, so a client or load
 * balancer reusing one at 6 s got a reset (9 of 20). Now they are kept for
 * HTTP_KEEP_ALIVE_TIMEOUT_MS (245 s by default, above common balancers' idle timeouts).
 */

interface Answer {
  status: number;
  reusedSocket: boolean;
}

function get(agent: http.Agent, url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/healthz`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, reusedSocket: req.reusedSocket }));
    });
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('idle keep-alive connections', () => {
  let bot: RunningBot;
  let short: RunningBot;

  beforeAll(async () => {
    [bot, short] = await Promise.all([startBot(), startBot({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000' })]);
  });
  afterAll(async () => {
    await Promise.all([bot?.close(), short?.close()]);
  });

  it('are kept well past 5 s by default, so a reused socket is not reset', async () => {
    expect(bot.server.server.keepAliveTimeout).toBe(245_000);
    expect(bot.server.server.headersTimeout).toBeGreaterThan(245_000);
    const agents = Array.from({ length: 5 }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    try {
      for (const agent of agents) expect(await get(agent, bot.url)).toEqual({ status: 200, reusedSocket: false });
      await sleep(6_500);
      // Every one goes out on the socket it used 6.5 s ago, and gets its answer.
      for (const agent of agents) expect(await get(agent, bot.url)).toEqual({ status: 200, reusedSocket: true });
    } finally {
      for (const agent of agents) agent.destroy();
    }
  }, 30_000);

  it('follow HTTP_KEEP_ALIVE_TIMEOUT_MS', async () => {
    expect(short.server.server.keepAliveTimeout).toBe(1_000);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await get(agent, short.url);
      await sleep(1_600);
      // The server closed it; the agent noticed and opens a new one.
      expect(await get(agent, short.url)).toEqual({ status: 200, reusedSocket: false });
    } finally {
      agent.destroy();
    }
  }, 30_000);
});
