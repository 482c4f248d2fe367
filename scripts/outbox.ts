/**
 * `npm run outbox [-- --limit N] [-- --prefix P]`: prints the latest messages of the Redis outbox
 * (newest first) — time, channel, recipient, subject and body, which holds the passcode, so a
 * tester can carry on a registration. Reads the Redis the bot uses (REDIS_URL, REDIS_CLUSTER_NODES
 * or REDIS_SENTINELS); without one, the journal file that a bot running in memory writes
 * (OUTBOX_FILE, default .data/outbox.jsonl).
 */
import { OutboxMessage } from '../adapters/outbox';
import { createRedis, describeTopology, RedisClient, redisTopology, waitUntilReady } from '../adapters/redis';
import { DEFAULT_KEY_PREFIX } from '../adapters/redisConversationStore';
import { RedisOutbox } from '../adapters/redisOutbox';
import { readOutboxJournal } from '../adapters/memoryOutbox';
import { ConfigError, loadConfig, outboxFile } from '../bot/config';
import { readOptions, runCommand } from './cli';

export const DEFAULT_LIMIT = 20;

const USAGE = `Usage: npm run outbox [-- --limit N] [-- --prefix P]
  Prints the latest N (default ${DEFAULT_LIMIT}) messages of the outbox in Redis, newest first.
  It reads the Redis the bot uses (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS + REDIS_SENTINEL_NAME);
  --prefix is its key prefix (default ${DEFAULT_KEY_PREFIX}).
  Without any of them it reads the journal of a bot running in memory (OUTBOX_FILE, default .data/outbox.jsonl).
  A message's content is kept for OUTBOX_RETENTION_HOURS (72); older ones show only when, where and what about.`;

export interface OutboxArgs {
  limit: number;
  prefix: string;
  help: boolean;
}

export function parseArgs(argv: readonly string[]): OutboxArgs {
  const values = readOptions(argv, {
    help: { type: 'boolean', short: 'h' },
    limit: { type: 'string', short: 'n' },
    prefix: { type: 'string' },
  });
  const limit = values.limit ?? String(DEFAULT_LIMIT);
  if (!/^\d+$/.test(limit) || Number(limit) < 1) throw new Error(`--limit must be a whole number of at least 1 (got "${limit}")`);
  return { limit: Number(limit), prefix: values.prefix ?? DEFAULT_KEY_PREFIX, help: values.help ?? false };
}

export function formatMessage(message: OutboxMessage): string {
  const lines = [
    `${new Date(message.createdAt).toISOString()}  ${message.channel}  to ${message.recipient}${message.redacted ? '  (past its retention: content removed)' : ''}`,
  ];
  if (message.subject) lines.push(`Subject: ${message.subject}`);
  if (message.tags && Object.keys(message.tags).length) {
    lines.push(`Tags: ${Object.entries(message.tags).map(([k, v]) => `${k}=${v}`).join(', ')}`);
  }
  lines.push('', ...message.body.split('\n').map((line) => `  ${line}`));
  return lines.join('\n');
}

export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out: (text: string) => void = (text) => process.stdout.write(`${text}\n`),
  err: (text: string) => void = (text) => process.stderr.write(`${text}\n`),
): Promise<number> {
  let args: OutboxArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    out(USAGE);
    return 0;
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    err(e.message);
    return 2;
  }
  const topology = redisTopology(config);
  if (!topology) {
    // The embedded default journals its outbox to a file that this process can read.
    const journal = outboxFile(config);
    const messages = await readOutboxJournal(journal, args.limit);
    if (messages.length === 0) {
      out(`The outbox journal (${journal}) is empty. Without REDIS_URL this reads what a bot started here in memory has sent.`);
    } else {
      out(`Latest ${messages.length} message${messages.length === 1 ? '' : 's'} in ${journal}, newest first:\n`);
      out(messages.map(formatMessage).join(`\n\n${'-'.repeat(72)}\n\n`));
    }
    return 0;
  }

  let client: RedisClient | undefined;
  try {
    client = createRedis(topology);
    await waitUntilReady(client);
    const outbox = new RedisOutbox(client, { keyPrefix: args.prefix });
    const messages = await outbox.latest(args.limit);
    if (messages.length === 0) {
      out(`The outbox (${outbox.streamKey}) is empty.`);
    } else {
      out(`Latest ${messages.length} message${messages.length === 1 ? '' : 's'} in ${outbox.streamKey}, newest first:\n`);
      out(messages.map(formatMessage).join(`\n\n${'-'.repeat(72)}\n\n`));
    }
    return 0;
  } catch (e) {
    err(`Could not read the outbox from ${describeTopology(topology)}: ${(e as Error).message}`);
    return 1;
  } finally {
    if (client) {
      if (client.status === 'ready') await client.quit().catch(() => client?.disconnect());
      else client.disconnect();
    }
  }
}

if (require.main === module) runCommand(main);
