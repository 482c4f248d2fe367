import { z } from 'zod';

/** Configuration, read once from the environment at start-up. */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;

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
    REDIS_URL: z
      .string()
      .refine((value) => /^rediss?:\/\/[^\s]+$/.test(value) && URL.canParse(value), {
        error: 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
      })
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
  });

/** Settings that only make sense together; checked even when single values are wrong. */
function crossChecks(raw: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const type = raw.MicrosoftAppType ?? 'MultiTenant';
  if (raw.MicrosoftAppId && type !== 'UserAssignedMSI' && !raw.MicrosoftAppPassword) {
    problems.push('MicrosoftAppPassword must be set when MicrosoftAppId is set');
  }
  if (raw.MicrosoftAppId && type === 'SingleTenant' && !raw.MicrosoftAppTenantId) {
    problems.push('MicrosoftAppTenantId must be set when MicrosoftAppType is SingleTenant');
  }
  return problems;
}

export type Config = z.infer<typeof ConfigSchema>;

/** Without authentication (Emulator mode) the bot listens on this machine only, unless told otherwise. */
export function listenHost(config: Config): string {
  return config.HOST ?? (config.MicrosoftAppId ? '0.0.0.0' : '127.0.0.1');
}

/** Where a bot running in memory journals its outbox: OUTBOX_FILE, or .data/outbox.jsonl in the working directory. */
export function outboxFile(config: Pick<Config, 'OUTBOX_FILE'>): string {
  return config.OUTBOX_FILE || `${process.cwd()}/.data/outbox.jsonl`;
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
      const shown = name in raw && !/Password/i.test(name) ? ` (got "${raw[name]}")` : '';
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
