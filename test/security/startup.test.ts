import { spawn } from 'node:child_process';
import path from 'node:path';
import { buildBot, childEnv, REPO_ROOT, spawnBot, statusOf } from '../helpers/bot';
import { freePort } from '../helpers/redis';
import { scaled } from '../helpers/timeouts';

/**
 * Without an app id the bot does no authentication at all (any caller may post activities), so
 * `npm start` refuses to listen beyond this machine unless told that something in front of it
 * authenticates (ALLOW_UNAUTHENTICATED=true).
 */

function run(outDir: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(outDir, 'bot', 'index.js')], { cwd: REPO_ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the bot did not exit:\n${stderr}`));
    }, scaled(20_000));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('start-up without authentication', () => {
  let outDir: string;
  beforeAll(async () => {
    outDir = await buildBot();
  }, scaled(120_000));

  it.each(['0.0.0.0', '::', '192.0.2.10'])('refuses HOST=%s without MicrosoftAppId, saying what to do', async (host) => {
    const port = await freePort();
    const result = await run(outDir, { HOST: host, PORT: String(port) });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`HOST ${host} would let anyone who can reach this machine talk to the bot without authentication`);
    expect(result.stderr).toContain('ALLOW_UNAUTHENTICATED=true');
  }, scaled(30_000));

  it('starts on loopback without MicrosoftAppId', async () => {
    const bot = await spawnBot(outDir, { HOST: '127.0.0.1' });
    try {
      expect(await statusOf(bot.url, '/healthz')).toBe(200);
    } finally {
      await bot.kill();
    }
  }, scaled(30_000));
});
