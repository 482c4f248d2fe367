import { parseArgs } from 'node:util';
import { formatReport, runCampaign } from './campaign';
import { explore } from './explore';
import { runHttpShare } from './http';

/**
 * `npm run fuzz -- --seed N --runs M [--state NAME] [--http K] [--quiet]`: the fuzz campaign
 * with any seed. `--runs` is the number of hostile inputs handed to the engine in this process
 * (spread over every state of every flow, on both channels); `--http` how many go over HTTP as
 * well (malformed bodies and messages); `--state` keeps only the states whose name holds it (a
 * failure's report line says which to rerun). Exit code 0: no failure; 1: failures; 2: bad options.
 */

const usage = 'usage: npm run fuzz -- [--seed N] [--runs M] [--state NAME] [--http K] [--quiet]';

function numberOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} takes a whole number, not ${JSON.stringify(value)}\n${usage}`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: { seed: { type: 'string' }, runs: { type: 'string' }, state: { type: 'string' }, http: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean' } },
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const seed = numberOption(values.seed as string | undefined, 'seed', Date.now() % 2 ** 31);
  const runs = numberOption(values.runs as string | undefined, 'runs', 10_000);
  const http = numberOption(values.http as string | undefined, 'http', values.state ? 0 : 500);
  const quiet = values.quiet === true;
  console.log(`Fuzz campaign: seed ${seed}, ${runs} inputs${http ? ` and ${http} over HTTP` : ''}${values.state ? `, states matching ${JSON.stringify(values.state)}` : ''}. Exploring the flows…`);
  const exploration = await explore();
  const report = await runCampaign({
    seed,
    runs,
    exploration,
    ...(values.state ? { state: values.state as string } : {}),
    progress: (batch) => {
      if (!quiet) console.log(`  ${batch.state} on ${batch.channel}: ${batch.skipped ? `skipped (${batch.skipped})` : `${batch.inputs} inputs, ${batch.failures.length} failures`}`);
    },
  });
  const share = http > 0 ? await runHttpShare({ seed, count: http, exploration }) : undefined;
  console.log(formatReport(report, share));
  return report.failures.length + (share?.failures.length ?? 0) > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
