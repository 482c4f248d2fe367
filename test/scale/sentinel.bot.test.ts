import { LocalChannel } from '../../bench/localChannel';
import { scaled } from '../helpers/timeouts';
import { BotProcess, buildBot, Chat, spawnBot } from '../helpers/bot';
import { useRedisSentinel } from '../helpers/redisSentinel';
import { driveRegistration, FAST_TYPIST_LIMITS } from './registrationDriver';
import { expectRequestsRecorded, registrationsThroughFailover, restartAndResume, scriptsFor, sum, twoProcessesOneConversation } from './scenarios';

/**
 * The bot as it runs in production (`node dist/bot/index.js` processes) on a master + replica
 * watched by three Sentinels (REDIS_SENTINELS + REDIS_SENTINEL_NAME): a whole registration, two
 * processes on one conversation, a process killed and the conversation resumed, and 50
 * registrations through `SENTINEL FAILOVER` and through the master being killed. See
 * registrationDriver.ts for what "no turn lost" means exactly.
 */

describe('the bot on Redis Sentinel', () => {
  const sentinel = useRedisSentinel();
  let outDir: string;
  let channel: LocalChannel;
  let other: LocalChannel;
  const processes: BotProcess[] = [];
  const spawn = async () => {
    const bot = await spawnBot(outDir, { ...sentinel.env, ...FAST_TYPIST_LIMITS });
    processes.push(bot);
    return bot;
  };

  beforeAll(async () => {
    outDir = await buildBot();
    channel = await LocalChannel.start();
    other = await LocalChannel.start();
  }, scaled(150_000));

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill()));
    await Promise.all([channel?.close(), other?.close()]);
  }, scaled(30_000));

  it('takes a whole registration to a NAS request', async () => {
    const bot = await spawn();
    const [script] = scriptsFor(1, 0);
    const result = await driveRegistration(new Chat(channel, bot.url, `conv-sentinel-${Date.now()}`), script!);
    expect(result.violations).toEqual([]);
    expect(result.toldFailed).toBe(0);
    await expectRequestsRecorded(sentinel.client, [{ script: script!, result }]);
  }, scaled(60_000));

  it('serves one conversation through two processes at once, one turn after the other', async () => {
    await twoProcessesOneConversation([channel, other], await spawn(), await spawn());
  }, scaled(60_000));

  it('carries a conversation on after its process is killed, on a new process', async () => {
    await restartAndResume(channel, spawn);
  }, scaled(60_000));

  describe.each([
    ['SENTINEL FAILOVER', 1, () => sentinel.topology.failover()],
    [
      // The killed master is started again (as a supervisor would): it rejoins as a replica, and
      // until it is in sync no write can be replicated, so turns meanwhile are told to wait.
      'the master killed',
      51,
      async () => {
        await sentinel.topology.killMasterAndAwaitFailover();
        await sentinel.topology.restartKilled();
      },
    ],
  ] as const)('50 registrations through %s', (_name, offset, failover) => {
    it('lose no acknowledged turn and no submitted request', async () => {
      const bots = [await spawn(), await spawn()];
      const scripts = scriptsFor(50, offset);
      const run = await registrationsThroughFailover({ channel, bots, scripts, startAfter: 0.3, failover });
      expect(run.results.flatMap((r) => r.violations)).toEqual([]);
      // The failover happened in the middle: turns were acknowledged before it began and after it ended.
      expect(run.acknowledgedAtFailover).toBeGreaterThan(0);
      expect(run.acknowledgedAfterFailover).toBeLessThan(run.totalTurns);
      // Every registration reached its reference (a step may be answered twice when the flow asks again).
      expect(run.results.filter((r) => !r.reference)).toEqual([]);
      expect(sum(run.results, (r) => r.acknowledged)).toBeGreaterThanOrEqual(run.totalTurns);
      await expectRequestsRecorded(sentinel.client, run.results.map((result, i) => ({ script: scripts[i]!, result })));
      console.log(
        `${_name}: failover took ${run.failoverMs} ms; ${sum(run.results, (r) => r.toldFailed)} replies told a turn failed, ` +
          `${sum(run.results, (r) => r.landedAnyway)} of those had landed, ${sum(run.results, (r) => r.resent)} turns sent again`,
      );
      await Promise.all(bots.map((b) => b.kill()));
    }, scaled(240_000));
  });
});
