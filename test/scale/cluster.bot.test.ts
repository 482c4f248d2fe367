import { LocalChannel } from '../../bench/localChannel';
import { scaled } from '../helpers/timeouts';
import { BotProcess, buildBot, Chat, spawnBot } from '../helpers/bot';
import { useRedisCluster } from '../helpers/redisCluster';
import { driveRegistration, FAST_TYPIST_LIMITS } from './registrationDriver';
import { expectRequestsRecorded, registrationsThroughFailover, restartAndResume, scriptsFor, sum, twoProcessesOneConversation } from './scenarios';

/**
 * The bot as it runs in production (`node dist/bot/index.js` processes) on a 3-master Redis
 * Cluster with a replica each (REDIS_CLUSTER_NODES): a whole registration, two processes on one
 * conversation, a process killed and the conversation resumed, and 50 registrations while a
 * master is killed and its replica takes over. See registrationDriver.ts for what "no turn lost"
 * means exactly.
 */

describe('the bot on a Redis Cluster', () => {
  const cluster = useRedisCluster();
  let outDir: string;
  let channel: LocalChannel;
  let other: LocalChannel;
  const processes: BotProcess[] = [];
  const spawn = async () => {
    const bot = await spawnBot(outDir, { ...cluster.env, ...FAST_TYPIST_LIMITS });
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
    const [script] = scriptsFor(1, 101, { submit: true });
    const result = await driveRegistration(new Chat(channel, bot.url, `conv-cluster-${Date.now()}`), script!);
    expect(result.violations).toEqual([]);
    expect(result.toldFailed).toBe(0);
    await expectRequestsRecorded(cluster.client, [{ script: script!, result }]);
  }, scaled(60_000));

  it('serves one conversation through two processes at once, one turn after the other', async () => {
    await twoProcessesOneConversation([channel, other], await spawn(), await spawn());
  }, scaled(60_000));

  it('carries a conversation on after its process is killed, on a new process', async () => {
    await restartAndResume(channel, spawn);
  }, scaled(60_000));

  it('loses no acknowledged turn (and no submitted request) of 50 registrations while a master is killed and its replica takes over', async () => {
    const bots = [await spawn(), await spawn()];
    const scripts = scriptsFor(50, 102, { submit: true });
    const masters = (await cluster.topology.nodes()).filter((n) => n.role === 'master');
    const run = await registrationsThroughFailover({
      channel,
      bots,
      scripts,
      startAfter: 0.3,
      failover: async () => {
        await cluster.topology.killMasterAndAwaitPromotion(masters[0]!.port);
        // Started again, as a supervisor would: it rejoins as the new master's replica. Until
        // then that master's writes cannot be replicated, and its turns are told to wait.
        await cluster.topology.restartKilled();
      },
    });
    expect(run.results.flatMap((r) => r.violations)).toEqual([]);
    expect(run.acknowledgedAtFailover).toBeGreaterThan(0);
    expect(run.acknowledgedAfterFailover).toBeLessThan(run.totalTurns);
    expect(sum(run.results, (r) => r.acknowledged)).toBeGreaterThanOrEqual(run.totalTurns);
    expect(run.results.filter((r) => !r.reference)).toEqual([]);
    await expectRequestsRecorded(cluster.client, run.results.map((result, i) => ({ script: scripts[i]!, result })));
    // Some conversations were on the killed master: they were told to send again, and did.
    expect(sum(run.results, (r) => r.toldFailed)).toBeGreaterThan(0);
    console.log(
      `cluster master killed: failover took ${run.failoverMs} ms; ${sum(run.results, (r) => r.toldFailed)} replies told a turn failed, ` +
        `${sum(run.results, (r) => r.landedAnyway)} of those had landed, ${sum(run.results, (r) => r.resent)} turns sent again`,
    );
    await Promise.all(bots.map((b) => b.kill()));
  }, scaled(240_000));
});
