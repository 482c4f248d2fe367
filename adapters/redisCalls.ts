import { durableScript, RedisClient } from './redis';
import { StoreUnavailableError } from './conversationStore';

/** How the Redis adapters call Redis: every failure becomes a `StoreUnavailableError`. */

export type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

export function unavailable(operation: string, cause: unknown): StoreUnavailableError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new StoreUnavailableError(`Redis unavailable (${operation}): ${reason}`, { cause });
}

export async function callRedis<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw unavailable(operation, err);
  }
}

/** A single-node or Sentinel client, or a Cluster client: the adapters accept either (adapters/redis.ts). */
export type { RedisClient };

/**
 * Runs a Lua script registered with `redis.defineCommand(name, …)`, durably: with replicas it
 * counts as done only once they have what it wrote (see adapters/redis.ts).
 */
export function runScript(redis: RedisClient, operation: string, name: string, args: (string | number)[]): Promise<unknown> {
  return callRedis(operation, () => durableScript(redis, name, args));
}
