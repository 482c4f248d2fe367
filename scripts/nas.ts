/**
 * `npm run nas -- <command>`: the NAS back office on the command line, working the requests in
 * the Redis every bot instance uses (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS). See USAGE and docs/back-office.md.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { StoreUnavailableError } from '../adapters/conversationStore';
import { describeTopology, redisTopology } from '../adapters/redis';
import { InvalidSubmissionError, NAS_QUEUES, NAS_REFERENCE_PATTERN, NasQueue, NasRequestStatus } from '../adapters/nasRequests';
import { addDays, londonDay } from '../adapters/serviceEvents';
import { ConfigError, loadConfig } from '../bot/config';
import { BackOffice, FilterError, parseFilter } from '../bot/backOffice/service';
import { countsText, listText, requestText, statsText, toldText } from '../bot/backOffice/text';
import { csvHeader, csvRow, STATUS_NAMES, summaryView } from '../bot/backOffice/views';
import { createAssistant } from '../bot/app';
import { createLogger } from '../bot/logger';
import { runCommand } from './cli';

export const USAGE = `Usage: npm run nas -- <command> [options]

  list   [--status S[,S…]] [--kind K[,K…]] [--org ODS] [--queue care|dental] [--limit N] [--cursor C] [--json]
         The requests, newest first (50 at a time; --cursor gives the next page).
  show   REF [--json]
         A request: its details, members and history.
  take   --queue care|dental [--as NAME] [--json]
         The next request of the queue for you (one left unfinished for 10 minutes first).
  update REF STATUS [--reason TEXT] [--question TEXT] [--answer TEXT] [--as NAME] [--version N]
         Change the status: received, in-progress, waiting, done or rejected. Waiting needs
         --question (asked in the requester's chat); rejected needs --reason; back to in-progress
         from waiting needs --answer (or --reason). --version refuses the change if the request
         changed since you read it. The requester is told in their chat.
  export --format csv|json [--status …] [--kind …] [--org …] [--queue …] [--out FILE]
         Every request that matches, to standard output or FILE.
  stats  [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--days N] [--json]
         The dashboard: the registration funnel, requests per day by kind, time to done… (default: the last 30 days).
  counts --queue care|dental [--json]
         How many requests of each kind are in each status.

  --as is who you are in the request's history (default: your login name).
  Reads the Redis the bot uses (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS).
  Exit codes: 0 done, 1 the store could not be reached or something failed, 2 bad arguments,
  3 no such request (or nothing to take), 4 the change was refused.`;

export const EXIT = { ok: 0, failed: 1, usage: 2, notFound: 3, refused: 4 } as const;

class UsageError extends Error {}

/** What people type for a status, as the status it is. */
const STATUS_WORDS: Record<string, NasRequestStatus> = {
  received: 'received',
  inprogress: 'inProgress',
  progress: 'inProgress',
  started: 'inProgress',
  waiting: 'waitingForRequester',
  waitingforrequester: 'waitingForRequester',
  waitingfortherequester: 'waitingForRequester',
  done: 'done',
  completed: 'done',
  complete: 'done',
  rejected: 'rejected',
  reject: 'rejected',
};

export function parseStatus(word: string): NasRequestStatus {
  const status = STATUS_WORDS[word.toLowerCase().replace(/[^a-z]/g, '')];
  if (!status) throw new UsageError(`"${word}" is not a status: use received, in-progress, waiting, done or rejected`);
  return status;
}

const OPTIONS = {
  status: { type: 'string' },
  kind: { type: 'string' },
  org: { type: 'string' },
  queue: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  json: { type: 'boolean' },
  as: { type: 'string' },
  reason: { type: 'string' },
  question: { type: 'string' },
  answer: { type: 'string' },
  version: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  days: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Which options each command takes. */
const ALLOWED: Record<string, readonly string[]> = {
  list: ['status', 'kind', 'org', 'queue', 'limit', 'cursor', 'json'],
  show: ['json'],
  take: ['queue', 'as', 'json'],
  update: ['reason', 'question', 'answer', 'as', 'version', 'json'],
  export: ['format', 'status', 'kind', 'org', 'queue', 'out'],
  stats: ['from', 'to', 'days', 'json'],
  counts: ['queue', 'json'],
};

export interface ParsedCommand {
  command: string;
  args: string[];
  options: Partial<Record<keyof typeof OPTIONS, string | boolean>>;
}

export function parseCommand(argv: readonly string[]): ParsedCommand | 'help' {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const [command, ...args] = parsed.positionals;
  if (parsed.values.help || command === 'help' || command === undefined) return 'help';
  if (!ALLOWED[command]) throw new UsageError(`unknown command "${command}": use ${Object.keys(ALLOWED).join(', ')}`);
  const stray = Object.keys(parsed.values).filter((o) => o !== 'help' && !ALLOWED[command]!.includes(o));
  if (stray.length) throw new UsageError(`${command} does not take ${stray.map((o) => `--${o}`).join(', ')}`);
  const wanted = { show: 1, update: 2 }[command as 'show' | 'update'] ?? 0;
  if (args.length !== wanted) {
    const shape = command === 'show' ? 'show REF' : command === 'update' ? 'update REF STATUS' : command;
    throw new UsageError(args.length < wanted ? `${shape}: ${wanted - args.length === 2 || command === 'show' ? 'which request?' : 'which status?'}` : `${command} takes no ${wanted ? 'more ' : ''}words after it (got "${args.slice(wanted).join(' ')}")`);
  }
  return { command, args, options: parsed.values as ParsedCommand['options'] };
}

const text = (value: string | boolean | undefined) => (typeof value === 'string' ? value : undefined);

function queueOption(value: string | boolean | undefined, required: boolean): NasQueue | undefined {
  const queue = text(value);
  if (queue === undefined) {
    if (required) throw new UsageError(`--queue is needed: ${NAS_QUEUES.join(' or ')}`);
    return undefined;
  }
  if (!(NAS_QUEUES as readonly string[]).includes(queue)) throw new UsageError(`--queue must be ${NAS_QUEUES.join(' or ')} (got "${queue}")`);
  return queue as NasQueue;
}

function wholeNumber(value: string | boolean | undefined, name: string, min: number, max: number): number | undefined {
  const raw = text(value);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  return Number(raw);
}

function reference(word: string): string {
  const ref = word.trim().toUpperCase();
  if (!NAS_REFERENCE_PATTERN.test(ref)) throw new UsageError(`"${word}" is not a NAS reference (e.g. REG-7KD9QX2P)`);
  return ref;
}

export interface NasCommandContext {
  office: BackOffice;
  /** Who makes a change when --as is not given. */
  defaultWorker: string;
  now: () => number;
}

type Print = (line: string) => void;

/** Runs one parsed command; returns its exit code. */
export async function runNasCommand(parsed: ParsedCommand, ctx: NasCommandContext, out: Print, err: Print): Promise<number> {
  const { office } = ctx;
  const o = parsed.options;
  const json = o.json === true;
  const worker = (text(o.as) ?? ctx.defaultWorker).trim();
  const filter = () => parseFilter({ status: text(o.status), kind: text(o.kind), org: text(o.org), queue: queueOption(o.queue, false) });

  switch (parsed.command) {
    case 'list': {
      const limit = wholeNumber(o.limit, 'limit', 1, 200);
      const page = await office.list(filter(), { ...(limit ? { limit } : {}), ...(text(o.cursor) ? { cursor: text(o.cursor) } : {}) });
      if (json) out(JSON.stringify(page, null, 2));
      else {
        out(listText(page.requests));
        if (page.nextCursor) out(`\nMore: npm run nas -- list … --cursor ${page.nextCursor}`);
      }
      return EXIT.ok;
    }
    case 'show': {
      const ref = reference(parsed.args[0]!);
      const request = await office.show(ref);
      if (!request) {
        err(`There is no request ${ref}.`);
        return EXIT.notFound;
      }
      out(json ? JSON.stringify(request, null, 2) : requestText(request));
      return EXIT.ok;
    }
    case 'take': {
      const queue = queueOption(o.queue, true)!;
      if (!worker) throw new UsageError('--as must name you');
      const taken = await office.take(queue, worker);
      if (!taken) {
        err(`Nothing is waiting in the ${queue} queue.`);
        return EXIT.notFound;
      }
      out(json ? JSON.stringify(taken, null, 2) : `You (${worker}) have taken ${taken.reference}.\n\n${requestText(taken)}`);
      return EXIT.ok;
    }
    case 'update': {
      const ref = reference(parsed.args[0]!);
      const status = parseStatus(parsed.args[1]!);
      if (!worker) throw new UsageError('--as must name you');
      const version = wholeNumber(o.version, 'version', 1, Number.MAX_SAFE_INTEGER);
      const change = {
        status,
        by: worker,
        ...(text(o.reason)?.trim() ? { reason: text(o.reason)!.trim() } : {}),
        ...(text(o.question)?.trim() ? { question: text(o.question)!.trim() } : {}),
        ...(text(o.answer)?.trim() ? { answer: text(o.answer)!.trim() } : {}),
      };
      const result = await office.changeStatus(ref, change, version);
      switch (result.outcome) {
        case 'updated':
          if (json) out(JSON.stringify(result, null, 2));
          else {
            out(`${ref} is now ${result.request.statusName} (it was ${STATUS_NAMES[result.previous]}; version ${result.request.version}).`);
            out(toldText(result.told));
            if (result.welcomeMessages) out(`${result.welcomeMessages} welcome emails and password texts were recorded for the members (npm run outbox).`);
          }
          return EXIT.ok;
        case 'notFound':
          err(`There is no request ${ref}.`);
          return EXIT.notFound;
        case 'stale':
          err(`${ref} has changed since version ${version} (it is now version ${result.request.version}, ${STATUS_NAMES[result.request.status]}): nothing was changed. Look at it again with: npm run nas -- show ${ref}`);
          return EXIT.refused;
        case 'invalid': {
          const hint =
            result.problem === 'questionRequired' ? ' (add --question "…")' : result.problem === 'reasonRequired' ? ' (add --reason "…")' : result.problem === 'answerRequired' ? ' (add --answer "…")' : '';
          err(`Not changed: ${result.message}${hint}.`);
          return EXIT.refused;
        }
      }
      return EXIT.failed;
    }
    case 'export': {
      const format = text(o.format);
      if (format !== 'csv' && format !== 'json') throw new UsageError('--format must be csv or json');
      const rows: string[] = [];
      const views = [];
      for await (const request of office.all(filter())) {
        const view = summaryView(request);
        if (format === 'csv') rows.push(csvRow(view));
        else views.push(view);
      }
      const body = format === 'csv' ? `${[csvHeader(), ...rows].join('\r\n')}\r\n` : `${JSON.stringify({ requests: views }, null, 2)}\n`;
      const file = text(o.out);
      if (file) {
        await writeFile(file, body, 'utf8');
        out(`Wrote ${format === 'csv' ? rows.length : views.length} requests to ${file}.`);
      } else out(body.trimEnd());
      return EXIT.ok;
    }
    case 'stats': {
      const days = wholeNumber(o.days, 'days', 1, 400);
      if (days !== undefined && text(o.from)) throw new UsageError('give --from or --days, not both');
      const to = text(o.to) ?? londonDay(ctx.now());
      const from = text(o.from) ?? (days !== undefined ? addDays(to, -(days - 1)) : undefined);
      const stats = await office.stats({ to, ...(from ? { from } : {}) });
      out(json ? JSON.stringify(stats, null, 2) : statsText(stats));
      return EXIT.ok;
    }
    case 'counts': {
      const counts = await office.counts(queueOption(o.queue, true)!);
      out(json ? JSON.stringify(counts, null, 2) : countsText(counts));
      return EXIT.ok;
    }
  }
  throw new UsageError(`unknown command "${parsed.command}"`);
}

/** Parses, runs, and turns every failure into a message and an exit code. */
export async function runWith(argv: readonly string[], open: () => Promise<NasCommandContext & { close(): Promise<void> }>, out: Print, err: Print): Promise<number> {
  let parsed: ParsedCommand | 'help';
  try {
    parsed = parseCommand(argv);
  } catch (error) {
    err(`${(error as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (parsed === 'help') {
    out(USAGE);
    return EXIT.ok;
  }
  let ctx: (NasCommandContext & { close(): Promise<void> }) | undefined;
  try {
    ctx = await open();
    return await runNasCommand(parsed, ctx, out, err);
  } catch (error) {
    if (error instanceof UsageError || error instanceof FilterError || error instanceof RangeError) {
      err(error.message);
      return EXIT.usage;
    }
    if (error instanceof InvalidSubmissionError) {
      err(error.message.replace(/^NAS requests cannot be listed: /, ''));
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      err(error.message);
      return EXIT.usage;
    }
    if (error instanceof StoreUnavailableError || error instanceof NoStoreError) {
      err(error.message);
      return EXIT.failed;
    }
    throw error;
  } finally {
    await ctx?.close();
  }
}

class NoStoreError extends Error {}

/**
 * The back office over the Redis the bot uses (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS), as a bot instance without a server: the same
 * stores, counting and notifier, so a change made here is told to the requester like one made on
 * the page (on Teams and the Emulator through the Bot Framework credentials of the configuration).
 */
async function openFromEnvironment(env: NodeJS.ProcessEnv): Promise<NasCommandContext & { close(): Promise<void> }> {
  const config = loadConfig({ LOG_LEVEL: 'warn', ...env });
  const topology = redisTopology(config);
  if (!topology) {
    throw new NoStoreError(
      'No Redis is set (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS). The back office works on the requests in the Redis the bot uses; a bot running in memory keeps its requests to itself (use its page at /nas/ or its API at /nas/api/ instead).',
    );
  }
  // Logs to standard error: standard output is the answer (a list, an export to redirect to a file).
  const assistant = createAssistant(config, createLogger(config.LOG_LEVEL, process.stderr));
  try {
    await assistant.ready();
  } catch (error) {
    await assistant.close();
    throw new NoStoreError(`The Redis the bot uses (${describeTopology(topology)}) cannot be reached: ${(error as Error).message}`);
  }
  return {
    office: new BackOffice(assistant.backOffice),
    defaultWorker: safeUserName(),
    now: Date.now,
    close: () => assistant.close(),
  };
}

function safeUserName(): string {
  try {
    return os.userInfo().username || 'NAS';
  } catch {
    return 'NAS';
  }
}

export function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: Print = (line) => process.stdout.write(`${line}\n`),
  err: Print = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  return runWith(argv, () => openFromEnvironment(env), out, err);
}

if (require.main === module) runCommand(main);
