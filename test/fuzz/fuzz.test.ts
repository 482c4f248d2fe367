import { FLOWS } from '../../bot/flows';
import { scaled } from '../helpers/timeouts';
import { CampaignReport, formatReport, runCampaign } from './campaign';
import { explore, Exploration } from './explore';
import { HttpShare, runHttpShare } from './http';

/**
 * The standing fuzz campaign (test/fuzz/campaign.ts) with a fixed seed: 10,000 hostile inputs
 * handed to the engine in this process, in every state a user can rest in of every flow in
 * bot/flows/index.ts, on the Emulator's text and Teams' cards, and 600 over HTTP (malformed bodies
 * and messages at a few states). Any seed: `npm run fuzz -- --seed N --runs M`; FUZZ_SEED and
 * FUZZ_RUNS change this test's.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const HTTP_RUNS = Number(process.env.FUZZ_HTTP_RUNS ?? 600);

describe(`the fuzz campaign, seed ${SEED}`, () => {
  let exploration: Exploration;
  let report: CampaignReport;
  let share: HttpShare;

  beforeAll(async () => {
    exploration = await explore();
    report = await runCampaign({ seed: SEED, runs: RUNS, exploration });
    share = await runHttpShare({ seed: SEED, count: HTTP_RUNS, exploration });
    // The campaign's report: coverage, time per turn, failures and how to run each again.
    console.log(formatReport(report, share));
  }, scaled(15 * 60_000));

  it('finds its way to most states of every flow, and fuzzes every state it reaches on both channels', () => {
    for (const flow of FLOWS) {
      const states = exploration.states.filter((s) => s.flowId === flow.id);
      const reached = states.filter((s) => s.reached);
      // A flow whose states the exploration cannot reach needs a route in test/fuzz/routes.ts.
      expect({ flow: flow.id, reached: reached.length >= Math.ceil(states.length * 0.75) }).toEqual({ flow: flow.id, reached: true });
    }
    const fuzzed = new Set(report.batches.filter((b) => !b.skipped).map((b) => `${b.state}|${b.channel}`));
    const reachedNames = exploration.states.filter((s) => s.reached).map((s) => `${s.flowId}:${s.flowPath}`);
    const notFuzzed = reachedNames.flatMap((name) => ['emulator', 'msteams'].filter((channel) => !fuzzed.has(`${name}|${channel}`)).map((channel) => `${name} on ${channel}`));
    expect(notFuzzed).toEqual([]);
  });

  it(`sends at least ${RUNS} hostile inputs to the engine and ${HTTP_RUNS} over HTTP`, () => {
    expect(report.runs).toBeGreaterThanOrEqual(RUNS);
    expect(share.inputs).toBeGreaterThanOrEqual(HTTP_RUNS);
  });

  it('no crash, no failed turn, no 5xx, no hang, no state thrown away, no markup shown unescaped, every conversation carried through', () => {
    // The report (printed above) says how to run any of these again.
    expect([...report.failures, ...share.failures].map((f) => `${f.state} on ${f.channel}, input ${f.index} (${f.kind}): ${f.problem} — ${f.input}`)).toEqual([]);
  });

  it('checked markup shown back, and carried conversations through after inputs that moved them', () => {
    const batches = report.batches.filter((b) => !b.skipped);
    expect(batches.reduce((n, b) => n + b.shown, 0)).toBeGreaterThan(0);
    expect(batches.reduce((n, b) => n + b.moved, 0)).toBeGreaterThan(0);
    expect(batches.every((b) => b.completed >= 1)).toBe(true);
  });
});
