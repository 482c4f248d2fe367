import os from 'node:os';

/**
 * Waits for processes (a bot starting, Redis answering, a build) take longer on a loaded machine.
 * Tests scale those waits instead of failing: by TEST_TIMEOUT_SCALE when set, otherwise by how
 * loaded the machine is now (1-minute load average per core), between 1 and 6.
 */
export function timeoutScale(): number {
  const fromEnv = Number(process.env.TEST_TIMEOUT_SCALE);
  if (Number.isFinite(fromEnv) && fromEnv > 0) return fromEnv;
  const perCore = os.loadavg()[0]! / Math.max(1, os.cpus().length);
  return Math.min(6, Math.max(1, perCore * 1.5));
}

/** `ms` scaled for the machine's load (see timeoutScale). */
export function scaled(ms: number): number {
  return Math.ceil(ms * timeoutScale());
}
