#!/usr/bin/env node
/**
 * What `npm test` needs besides Node and npm, checked before jest starts (the "pretest" script):
 * Debian's redis-server and redis-cli (the tests start throwaway Redis servers, a Cluster with
 * `redis-cli --cluster create` and Sentinels with `redis-server --sentinel`) and Chromium at
 * /usr/bin/chromium (the web chat page's browser tests drive it through playwright-core; nothing
 * downloads a browser). When something is missing and this runs as root with apt-get, it is
 * installed; otherwise one line per missing thing says what needs it and how to install it, and
 * the tests do not start (exit code 1).
 *
 * Plain JavaScript, so it runs on a fresh clone before anything is built. For its own tests:
 * NHSCA_CHROMIUM is the browser's path, NHSCA_CAN_INSTALL=0|1 overrides "root with apt-get".
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { accessSync, constants } = require('node:fs');
const path = require('node:path');

const CHROMIUM = process.env.NHSCA_CHROMIUM || '/usr/bin/chromium';

function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command) {
  return (process.env.PATH || '').split(path.delimiter).some((dir) => dir && executable(path.join(dir, command)));
}

/** What is missing: the Debian package, what it is, and what needs it. */
function missing() {
  const found = [];
  if (!onPath('redis-server')) found.push({ pkg: 'redis-server', what: 'redis-server', why: 'the tests that store conversations and requests in a real Redis (single node, Cluster, Sentinel)' });
  if (!onPath('redis-cli')) found.push({ pkg: 'redis-server', what: 'redis-cli', why: 'the Redis Cluster tests (redis-cli --cluster create)' });
  if (!executable(CHROMIUM)) found.push({ pkg: 'chromium', what: `Chromium at ${CHROMIUM}`, why: 'the web chat page tests in a real browser (test/e2e/*.browser.test.ts)' });
  return found;
}

function canInstall() {
  if (process.env.NHSCA_CAN_INSTALL === '0') return false;
  if (process.env.NHSCA_CAN_INSTALL === '1') return true;
  return typeof process.getuid === 'function' && process.getuid() === 0 && onPath('apt-get');
}

function main() {
  const before = missing();
  if (before.length === 0) return 0;
  const packages = [...new Set(before.map((m) => m.pkg))];
  if (canInstall()) {
    console.log(`npm test: installing ${packages.join(' and ')} with apt-get, for ${before.map((m) => m.why).join('; ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const updated = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const installed = updated.error ? updated : spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env });
    if (installed.error) console.error(`npm test: apt-get could not run (${installed.error.message}).`);
    const after = missing();
    if (installed.status === 0 && after.length === 0) return 0;
    for (const m of after) console.error(`npm test: ${m.what} is still missing after apt-get install ${m.pkg}; it is needed by ${m.why}.`);
    return 1;
  }
  for (const m of before) console.error(`npm test: ${m.what} is missing; it is needed by ${m.why}. Install it with: sudo apt-get install -y ${m.pkg}`);
  return 1;
}

process.exitCode = main();
