import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** scripts/testPrerequisites.js, npm test's first step, run with a PATH and a browser path of the test's choosing. */
function check(options: { path: string; chromium: string; canInstall: '0' | '1' }) {
  const run = spawnSync(process.execPath, [path.join(__dirname, '../../scripts/testPrerequisites.js')], {
    env: { PATH: options.path, NHSCA_CHROMIUM: options.chromium, NHSCA_CAN_INSTALL: options.canInstall },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr.trim().split('\n').filter(Boolean) };
}

/** A folder holding only the commands named (links to the real ones). */
function pathWith(...commands: string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nhsca-path-'));
  for (const command of commands) {
    const real = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).stdout.trim();
    if (real) symlinkSync(real, path.join(dir, command));
  }
  return dir;
}

describe('what npm test checks before the tests start', () => {
  it('all there: nothing said, exit code 0', () => {
    expect(check({ path: pathWith('redis-server', 'redis-cli'), chromium: process.execPath, canInstall: '0' })).toEqual({ status: 0, stdout: '', stderr: [] });
  });

  it('missing and nothing may be installed: one line each, with the command that installs it, and the tests do not start', () => {
    expect(check({ path: pathWith('redis-cli'), chromium: '/nowhere/chromium', canInstall: '0' })).toEqual({
      status: 1,
      stdout: '',
      stderr: [
        'npm test: redis-server is missing; it is needed by the tests that store conversations and requests in a real Redis (single node, Cluster, Sentinel). Install it with: sudo apt-get install -y redis-server',
        'npm test: Chromium at /nowhere/chromium is missing; it is needed by the web chat page tests in a real browser (test/e2e/*.browser.test.ts). Install it with: sudo apt-get install -y chromium',
      ],
    });
  });

  it('redis-cli alone missing: named, from the redis-server package', () => {
    expect(check({ path: pathWith('redis-server'), chromium: process.execPath, canInstall: '0' }).stderr).toEqual([
      'npm test: redis-cli is missing; it is needed by the Redis Cluster tests (redis-cli --cluster create). Install it with: sudo apt-get install -y redis-server',
    ]);
  });

  it('missing where it may install but apt-get cannot run: says so, and the tests do not start', () => {
    const result = check({ path: pathWith('redis-server', 'redis-cli'), chromium: '/nowhere/chromium', canInstall: '1' });
    expect(result.status).not.toBe(0);
    expect(result.stdout).toMatch(/^npm test: installing chromium with apt-get, for the web chat page tests/);
    expect(result.stderr).toEqual([
      'npm test: apt-get could not run (spawnSync apt-get ENOENT).',
      'npm test: Chromium at /nowhere/chromium is still missing after apt-get install chromium; it is needed by the web chat page tests in a real browser (test/e2e/*.browser.test.ts).',
    ]);
  });
});
