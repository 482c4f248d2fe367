import { z } from 'zod';
import { parseEndpoint, RedisEndpoint } from '../adapters/redis';
import { NasApiTokensSchema } from './backOffice/tokens';

/** Configuration, read once from the environment at start-up. */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;
const SWITCH_VALUES = ['true', 'false', 'yes', 'no', 'on', 'off', '1', '0'];

/** A whole number from `min` to `max`, with one message for every way of getting it wrong. */
function count(what: string, max: number, min = 0) {
  const error = `must be a whole number of ${what}, from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

/** "host:port,host:port" (commas or spaces between; "[::1]:7000" for IPv6) → endpoints. */
function endpointList(name: string, example: string) {
  return z.string().transform((value, context): RedisEndpoint[] => {
    const entries = value.split(/[\s,]+/).filter(Boolean);
    const bad = entries.filter((entry) => !parseEndpoint(entry));
    if (entries.length === 0 || bad.length > 0) {
      const what = bad.length ? `: ${bad.map((entry) => `"${entry}"`).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not host:port` : '';
      context.addIssue({ code: 'custom', message: `must be a comma-separated list of host:port, e.g. ${example}${what}` });
      return z.NEVER;
    }
    return entries.map((entry) => parseEndpoint(entry)!);
  });
}

const ConfigSchema = z
  .object({
    PORT: z.coerce
      .number({ error: 'must be a whole number from 1 to 65535' })
      .int({ error: 'must be a whole number from 1 to 65535' })
      .min(1, { error: 'must be a whole number from 1 to 65535' })
      .max(65535, { error: 'must be a whole number from 1 to 65535' })
      .default(3978),
    /** Where to listen. Unset: all interfaces with authentication, loopback only without. */
    HOST: z
      .string()
      .trim()
      .refine((value) => /^[A-Za-z0-9.:-]+$/.test(value), { error: 'must be an IP address or host name, e.g. 127.0.0.1 or 0.0.0.0' })
      .optional(),
    MicrosoftAppId: z.string().trim().optional(),
    MicrosoftAppPassword: z.string().optional(),
    MicrosoftAppType: z.enum(APP_TYPES, { error: `must be one of ${APP_TYPES.join(', ')}` }).default('MultiTenant'),
    MicrosoftAppTenantId: z.string().trim().optional(),
    /** The NAS back office's bearer tokens per queue (bot/backOffice/tokens.ts). Unset: the back office is off. */
    NAS_API_TOKENS: NasApiTokensSchema.optional(),
    REDIS_URL: z
      .string()
      .refine((value) => /^rediss?:\/\/[^\s]+$/.test(value) && URL.canParse(value), {
        error: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
      })
      .optional(),
    // Redis Cluster or Sentinel instead of one node (REDIS_URL): see adapters/redis.ts.
    REDIS_CLUSTER_NODES: endpointList('REDIS_CLUSTER_NODES', '10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379').optional(),
    REDIS_SENTINELS: endpointList('REDIS_SENTINELS', '10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379').optional(),
    REDIS_SENTINEL_NAME: z
      .string()
      .trim()
      .refine((value) => /^[A-Za-z0-9._-]{1,64}$/.test(value), {
        error: 'must be the name of the master the Sentinels monitor (letters, digits, dots, hyphens, underscores), e.g. mymaster',
      })
      .optional(),
    REDIS_USERNAME: z.string().trim().optional(),
    REDIS_PASSWORD: z.string().optional(),
    REDIS_SENTINEL_PASSWORD: z.string().optional(),
    /** Replicas that must have a write before the user is told it is saved (Redis WAIT). */
    REDIS_WAIT_REPLICAS: z.coerce
      .number({ error: 'must be a whole number of replicas from 0 to 10' })
      .int({ error: 'must be a whole number of replicas from 0 to 10' })
      .min(0, { error: 'must be a whole number of replicas from 0 to 10' })
      .max(10, { error: 'must be a whole number of replicas from 0 to 10' })
      .optional(),
    STATE_TTL_DAYS: z.coerce
      .number({ error: 'must be a number of days greater than 0 (at most 3650)' })
      .positive({ error: 'must be a number of days greater than 0 (at most 3650)' })
      .max(3650, { error: 'must be a number of days greater than 0 (at most 3650)' })
      .default(30),
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    /** In memory (no REDIS_URL), the file the outbox is journalled to, for `npm run outbox`; default .data/outbox.jsonl. */
    OUTBOX_FILE: z.string().trim().max(4096, { error: 'must be a file path of at most 4096 characters' }).optional(),
    /** The terminal chat's conversation (default: one per user), to carry one on or start another. */
    CHAT_CONVERSATION_ID: z
      .string()
      .trim()
      .regex(/^[\w.:@-]{1,100}$/, { error: 'must be 1 to 100 letters, digits or . _ - : @' })
      .optional(),
    /** The web chat page and its Direct Line routes. Unset: on without MicrosoftAppId only (see webChatEnabled). */
    WEBCHAT_ENABLED: z
      .string()
      .trim()
      .toLowerCase()
      .refine((value) => SWITCH_VALUES.includes(value), { error: 'must be true or false' })
      .transform((value) => ['true', 'yes', 'on', '1'].includes(value))
      .optional(),
    /** Proxies in front of the bot that append to X-Forwarded-For (the web chat counts new conversations per client address). Unset: none. */
    WEBCHAT_TRUSTED_PROXIES: z.coerce
      .number({ error: 'must be a whole number from 0 to 10' })
      .int({ error: 'must be a whole number from 0 to 10' })
      .min(0, { error: 'must be a whole number from 0 to 10' })
      .max(10, { error: 'must be a whole number from 0 to 10' })
      .optional(),
    // Floods (see docs/security.md): per conversation across instances, per user in each instance.
    RATE_LIMIT_PER_MINUTE: count('messages a minute per conversation (0 turns the limit off)', 10_000).default(30),
    RATE_LIMIT_BURST: count('messages at once per conversation', 1_000, 1).default(10),
    USER_RATE_LIMIT_PER_MINUTE: count('messages a minute per user (0 turns the limit off)', 10_000).default(60),
    USER_RATE_LIMIT_BURST: count('messages at once per user', 1_000, 1).default(20),
    CONVERSATION_QUEUE_MAX: count('messages of one conversation waiting their turn', 1_000, 1).default(10),
    /** Days a finished NAS request is kept before it is deleted (2 years: NHS records practice). */
    NAS_RETENTION_DAYS: z.coerce
      .number({ error: 'must be a whole number of days from 1 to 36500' })
      .int({ error: 'must be a whole number of days from 1 to 36500' })
      .min(1, { error: 'must be a whole number of days from 1 to 36500' })
      .max(36500, { error: 'must be a whole number of days from 1 to 36500' })
      .default(730),
    // Idle keep-alive sockets stay open longer than a load balancer's idle timeout (Azure 240 s,
    // AWS 60 s), so the balancer, not the bot, closes them: no reset on a reused socket.
    HTTP_KEEP_ALIVE_TIMEOUT_MS: count('milliseconds an idle keep-alive connection is kept', 3_600_000, 1_000).default(245_000),
    HTTP_HEADERS_TIMEOUT_MS: count('milliseconds to receive request headers', 3_600_000, 1_000).optional(),
    /** Hosts the bot may send replies to (the activity's serviceUrl); see serviceUrlHosts. */
    SERVICE_URL_HOSTS: z
      .string()
      .transform((value) => value.split(',').map((host) => host.trim().toLowerCase()).filter(Boolean))
      .refine((hosts) => hosts.length > 0 && hosts.every((host) => /^(\*\.)?[a-z0-9.:-]+$/.test(host)), {
        error: 'must be a comma-separated list of host names, e.g. smba.trafficmanager.net,*.botframework.com',
      })
      .optional(),
    OUTBOUND_TIMEOUT_MS: count('milliseconds a call to the channel may take', 60_000, 100).default(5_000),
    /** Listen beyond this machine without authentication anyway (behind something that authenticates). */
    ALLOW_UNAUTHENTICATED: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .transform((value) => value === 'true')
      .default(false),
    /** How long the outbox keeps a message's content (passcodes) for a delivery provider. */
    OUTBOX_RETENTION_HOURS: count('hours the outbox keeps what a message says', 24 * 30, 1).default(72),
  });

/** 127.0.0.0/8, ::1 and localhost: reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Settings that only make sense together; checked even when single values are wrong. */
function crossChecks(raw: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const type = raw.MicrosoftAppType ?? 'MultiTenant';
  if (raw.MicrosoftAppId && type !== 'UserAssignedMSI' && !raw.MicrosoftAppPassword) {
    problems.push('MicrosoftAppPassword must be set when MicrosoftAppId is set');
  }
  const keepAlive = Number(raw.HTTP_KEEP_ALIVE_TIMEOUT_MS ?? 245_000);
  if (raw.HTTP_HEADERS_TIMEOUT_MS && Number(raw.HTTP_HEADERS_TIMEOUT_MS) <= keepAlive) {
    problems.push('HTTP_HEADERS_TIMEOUT_MS must be greater than HTTP_KEEP_ALIVE_TIMEOUT_MS (Node closes a reused socket otherwise)');
  }
  if (!raw.MicrosoftAppId && raw.HOST && !isLoopback(raw.HOST.trim()) && raw.ALLOW_UNAUTHENTICATED !== 'true') {
    problems.push(
      `HOST ${raw.HOST.trim()} would let anyone who can reach this machine talk to the bot without authentication: set MicrosoftAppId and MicrosoftAppPassword, listen on loopback (127.0.0.1), or set ALLOW_UNAUTHENTICATED=true`,
    );
  }
  if (raw.MicrosoftAppId && type === 'SingleTenant' && !raw.MicrosoftAppTenantId) {
    problems.push('MicrosoftAppTenantId must be set when MicrosoftAppType is SingleTenant');
  }
  problems.push(...redisTopologyChecks(raw));
  return problems;
}

/** One Redis topology at most, and each with what it needs. */
function redisTopologyChecks(raw: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const chosen = ['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'].filter((name) => raw[name] !== undefined);
  if (chosen.length > 1) {
    problems.push(
      `Set only one of REDIS_URL (one Redis), REDIS_CLUSTER_NODES (Redis Cluster) and REDIS_SENTINELS (Redis Sentinel); found ${chosen.join(' and ')}`,
    );
  }
  if (raw.REDIS_SENTINELS !== undefined && raw.REDIS_SENTINEL_NAME === undefined) {
    problems.push('REDIS_SENTINEL_NAME must be set when REDIS_SENTINELS is set: the name of the master the Sentinels monitor (e.g. mymaster)');
  }
  if (raw.REDIS_SENTINEL_NAME !== undefined && raw.REDIS_SENTINELS === undefined) {
    problems.push('REDIS_SENTINEL_NAME is set but REDIS_SENTINELS is not: list the Sentinels as host:port');
  }
  if (raw.REDIS_SENTINEL_PASSWORD !== undefined && raw.REDIS_SENTINELS === undefined) {
    problems.push('REDIS_SENTINEL_PASSWORD is set but REDIS_SENTINELS is not');
  }
  const clusterOrSentinel = raw.REDIS_CLUSTER_NODES !== undefined || raw.REDIS_SENTINELS !== undefined;
  for (const name of ['REDIS_USERNAME', 'REDIS_PASSWORD']) {
    if (raw[name] === undefined || clusterOrSentinel) continue;
    problems.push(
      raw.REDIS_URL !== undefined
        ? `${name} is for REDIS_CLUSTER_NODES and REDIS_SENTINELS: with REDIS_URL put the user and password in the URL (redis://user:password@host:6379)`
        : `${name} is set but no Redis is: set REDIS_CLUSTER_NODES or REDIS_SENTINELS too`,
    );
  }
  if (raw.REDIS_WAIT_REPLICAS !== undefined && chosen.length === 0) {
    problems.push('REDIS_WAIT_REPLICAS is set but no Redis is: set REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS too');
  }
  if (raw.REDIS_USERNAME !== undefined && raw.REDIS_PASSWORD === undefined) {
    problems.push('REDIS_PASSWORD must be set when REDIS_USERNAME is set');
  }
  return problems;
}

export type Config = z.infer<typeof ConfigSchema>;

/** How long an idle keep-alive socket is kept, and how long request headers may take. */
export function httpTimeouts(config: Config): { keepAliveTimeoutMs: number; headersTimeoutMs: number } {
  return { keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS, headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS ?? config.HTTP_KEEP_ALIVE_TIMEOUT_MS + 5_000 };
}

/**
 * Where replies may go: SERVICE_URL_HOSTS when set; otherwise, in Emulator mode, this machine only
 * (the caller chooses the serviceUrl and nobody vouches for it); with MicrosoftAppId, any host the
 * Bot Framework token names (its serviceurl claim must match the activity's).
 */
export function serviceUrlHosts(config: Config): readonly string[] | undefined {
  return config.SERVICE_URL_HOSTS ?? (config.MicrosoftAppId ? undefined : ['localhost', '127.0.0.1', '::1']);
}

/** Without authentication (Emulator mode) the bot listens on this machine only, unless told otherwise. */
export function listenHost(config: Config): string {
  return config.HOST ?? (config.MicrosoftAppId ? '0.0.0.0' : '127.0.0.1');
}

/** Where a bot running in memory journals its outbox: OUTBOX_FILE, or .data/outbox.jsonl in the working directory. */
export function outboxFile(config: Pick<Config, 'OUTBOX_FILE'>): string {
  return config.OUTBOX_FILE || `${process.cwd()}/.data/outbox.jsonl`;
}

/**
 * The anonymous web chat page is on by default only in Emulator mode: a bot that authenticates
 * Teams traffic should not also open an unauthenticated channel unless told to.
 */
export function webChatEnabled(config: Config): boolean {
  return config.WEBCHAT_ENABLED ?? !config.MicrosoftAppId;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment; unset and empty variables take their defaults. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const keys = Object.keys(ConfigSchema.shape) as (keyof Config)[];
  const raw: Record<string, string | undefined> = Object.fromEntries(
    keys.map((key) => [key, env[key]?.trim() ? env[key] : undefined]).filter(([, value]) => value !== undefined),
  );
  const result = ConfigSchema.safeParse(raw);
  const problems = [
    ...(result.error?.issues ?? []).map((issue) => {
      const name = String(issue.path[0] ?? 'configuration');
      const shown = name in raw && !/Password|TOKEN/i.test(name) ? ` (got "${raw[name]}")` : '';
      return `${name} ${issue.message}${shown}`;
    }),
    ...crossChecks(raw),
  ];
  if (result.success && problems.length === 0) return result.data;
  throw new ConfigError(problems);
}

/** For start-up: the configuration, or the problems printed and the process ended (exit 1). */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
