/**
 * `npm run outbox [-- --limit N] [-- --prefix P]`: prints the latest messages of the Redis outbox
 * (newest first) — time, channel, recipient, subject and body, which holds the passcode, so a
 * tester can carry on a registration. Reads REDIS_URL. Without it there is nothing to read: the
 * in-memory outbox lives inside the bot process and dies with it.
 */
import type { Redis } from 'ioredis';
import { OutboxMessage } from '../adapters/outbox';
import { createRedisClient, DEFAULT_KEY_PREFIX, waitUntilReady } from '../adapters/redisConversationStore';
import { RedisOutbox } from '../adapters/redisOutbox';

export const DEFAULT_LIMIT = 20;

const USAGE = `Usage: npm run outbox [-- --limit N] [-- --prefix P]
  Prints the latest N (default ${DEFAULT_LIMIT}) messages of the outbox in Redis, newest first.
  REDIS_URL must point to the Redis the bot uses; --prefix is its key prefix (default ${DEFAULT_KEY_PREFIX}).`;

export interface OutboxArgs {
  limit: number;
  prefix: string;
  help: boolean;
}

export function parseArgs(argv: readonly string[]): OutboxArgs {
  const args: OutboxArgs = { limit: DEFAULT_LIMIT, prefix: DEFAULT_KEY_PREFIX, help: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--help' || flag === '-h') args.help = true;
    else if (flag === '--limit' || flag === '-n') {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`--limit must be a whole number of at least 1 (got "${v}")`);
      args.limit = Number(v);
    } else if (flag === '--prefix') args.prefix = value();
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return args;
}

export function formatMessage(message: OutboxMessage): string {
  const lines = [
    `${new Date(message.createdAt).toISOString()}  ${message.channel}  to ${message.recipient}`,
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
  const url = env.REDIS_URL?.trim();
  if (!url) {
    err(
      'REDIS_URL is not set. The outbox can only be read from Redis: without REDIS_URL the bot keeps its ' +
        'outbox in its own memory, which no other process can read. Start the bot and run this command ' +
        'with the same REDIS_URL (e.g. REDIS_URL=redis://127.0.0.1:6379 npm run outbox).',
    );
    return 1;
  }

  let client: Redis | undefined;
  try {
    client = createRedisClient(url);
    await waitUntilReady(client);
    const messages = await new RedisOutbox(client, { keyPrefix: args.prefix }).latest(args.limit);
    if (messages.length === 0) {
      out(`The outbox (${args.prefix}outbox) is empty.`);
    } else {
      out(`Latest ${messages.length} message${messages.length === 1 ? '' : 's'} in ${args.prefix}outbox, newest first:\n`);
      out(messages.map(formatMessage).join(`\n\n${'-'.repeat(72)}\n\n`));
    }
    return 0;
  } catch (e) {
    err(`Could not read the outbox from ${redactUrl(url)}: ${(e as Error).message}`);
    return 1;
  } finally {
    if (client) {
      if (client.status === 'ready') await client.quit().catch(() => client?.disconnect());
      else client.disconnect();
    }
  }
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'REDIS_URL';
  }
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
