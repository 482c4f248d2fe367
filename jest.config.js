const os = require('node:os');

/**
 * A test's own time limit grows on a loaded machine, as the waits inside tests do
 * (test/helpers/timeouts.ts): by TEST_TIMEOUT_SCALE when set, otherwise by the 1-minute load
 * average per core when the run starts, between 1 and 6.
 */
function timeoutScale() {
  const fromEnv = Number(process.env.TEST_TIMEOUT_SCALE);
  if (Number.isFinite(fromEnv) && fromEnv > 0) return fromEnv;
  return Math.min(6, Math.max(1, (os.loadavg()[0] / Math.max(1, os.cpus().length)) * 1.5));
}

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  testTimeout: Math.ceil(30000 * timeoutScale()),
  // Integration tests start servers and Redis; two workers fit this machine's two cores.
  maxWorkers: 2,
};
