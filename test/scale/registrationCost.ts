/**
 * What whole registrations cost (not a test; jest runs only *.test.ts): N registrations typed at
 * once into one bot process (`node dist/bot/index.js`, built as the e2e tests build it) on one
 * throwaway redis-server, after 3 for warm-up. Prints turns per registration, bot CPU per turn,
 * Redis commands per turn and per registration (those inside scripts included, by command), and
 * what the registrations left in Redis (MEMORY USAGE by kind of key, and used_memory's growth).
 * The benchmark (`npm run bench`) measures the prerequisite questionnaire against the reference
 * bots; this measures the rest of the flow, for the capacity model in docs/performance.md.
 *
 *   npx ts-node --transpile-only -P tsconfig.test.json test/scale/registrationCost.ts [N=20]
 */
import { Redis } from 'ioredis';
import { LocalChannel } from '../../bench/localChannel';
import { cpuMs } from '../../bench/processes';
import { EPHEMERAL, startRedisProcess } from '../../bench/redisProcess';
import { buildBot, Chat, spawnBot } from '../helpers/bot';
import { driveRegistration, FAST_TYPIST_LIMITS } from './registrationDriver';
import { scriptsFor } from './scenarios';

async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const line of String(await redis.info('commandstats')).split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match) calls.set(match[1]!, Number(match[2]));
  }
  return calls;
}

const usedMemory = async (redis: Redis) => Number(/used_memory:(\d+)/.exec(String(await redis.info('memory')))![1]);

async function main(n: number): Promise<void> {
  const server = await startRedisProcess(EPHEMERAL, { label: 'registration cost' });
  const redis = new Redis(server.port);
  const channel = await LocalChannel.start();
  const bot = await spawnBot(await buildBot(), { REDIS_URL: `redis://127.0.0.1:${server.port}`, ...FAST_TYPIST_LIMITS });
  try {
    for (const script of scriptsFor(3, 300 + n)) await driveRegistration(new Chat(channel, bot.url, `warm-up-${script.organisation.odsCode}`), script);
    const [memoryBefore, keysBefore, callsBefore, cpuBefore] = [await usedMemory(redis), await redis.dbsize(), await commandCalls(redis), cpuMs(bot.child.pid!)];
    const started = Date.now();
    const results = await Promise.all(
      scriptsFor(n, 300).map((script) => driveRegistration(new Chat(channel, bot.url, `cost-${script.organisation.odsCode}`), script)),
    );
    const wallMs = Date.now() - started;
    const cpu = cpuMs(bot.child.pid!) - cpuBefore;
    const callsAfter = await commandCalls(redis);
    const turns = results.reduce((t, r) => t + r.acknowledged + r.toldFailed, 0);
    const byCommand = [...callsAfter]
      .filter(([name]) => !/^(info|dbsize|memory.*|scan)$/.test(name))
      .map(([name, calls]) => [name, calls - (callsBefore.get(name) ?? 0)] as const)
      .filter(([, d]) => d > 0)
      .sort((a, b) => b[1] - a[1]);
    const commands = byCommand.reduce((t, [, d]) => t + d, 0);
    const memoryGrowth = (await usedMemory(redis)) - memoryBefore;
    const keysLeft = (await redis.dbsize()) - keysBefore;
    const kinds = new Map<string, { keys: number; bytes: number }>();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const kind = key.replace(/\{[^}]*\}/g, '{…}').replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, 'ID');
        const entry = kinds.get(kind) ?? { keys: 0, bytes: 0 };
        entry.keys += 1;
        entry.bytes += Number(await redis.memory('USAGE', key, 'SAMPLES', '0'));
        kinds.set(kind, entry);
      }
    } while (cursor !== '0');
    const all = n + 3;
    const lines = [
      `${n} registrations at once (after 3 for warm-up), one bot process, one redis-server; load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`,
      `violations ${results.flatMap((r) => r.violations).length}, references ${results.filter((r) => r.reference).length} of ${n}, ${wallMs} ms`,
      `turns per registration      ${(turns / n).toFixed(1)}`,
      `bot CPU per turn            ${(cpu / turns).toFixed(2)} ms (${(cpu / n).toFixed(0)} ms per registration)`,
      `Redis commands per turn     ${(commands / turns).toFixed(2)} (${(commands / n).toFixed(0)} per registration, inside scripts included)`,
      `  per registration: ${byCommand.map(([name, d]) => `${name} ${(d / n).toFixed(1)}`).join(', ')}`,
      `left in Redis               ${(keysLeft / n).toFixed(1)} keys and ${(memoryGrowth / n / 1024).toFixed(1)} KiB of used_memory per registration`,
      `MEMORY USAGE by kind of key (all ${all} registrations), per registration:`,
      ...[...kinds]
        .sort((a, b) => b[1].bytes - a[1].bytes)
        .map(([kind, { keys, bytes }]) => `  ${kind.padEnd(40)} ${String(keys).padStart(5)} keys  ${(bytes / all).toFixed(0).padStart(7)} B`),
    ];
    console.log(lines.join('\n'));
  } finally {
    await bot.kill();
    await channel.close();
    redis.disconnect();
    await server.stop();
  }
}

main(Number(process.argv[2] ?? 20)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
