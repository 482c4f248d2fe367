import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { buildBot, childEnv, REPO_ROOT, startPrivateRedis } from '../helpers/bot';
import { chatSaid, runChat as runChatIn } from '../helpers/bot';
import type { TestRedis } from '../helpers/redis';

/** `npm run chat`: the compiled terminal chat, fed lines on a pipe as `printf … | npm run chat` does. */


describe('the terminal chat (node dist/bot/chat.js)', () => {
  let outDir: string | undefined;

  beforeAll(async () => {
    outDir = await buildBot();
  }, 120_000);

  const runChat = (lines: string[], env: Record<string, string> = {}, timeoutMs = 20_000) => runChatIn(outDir!, lines, env, timeoutMs);

  const said = chatSaid;

  it('shows numbered choices, takes numbers and words, reaches the summary and exits 0', async () => {
    const run = await runChat(['register', '1', 'no', 'yes', 'no', 'no', 'post']);
    expect(run.code).toBe(0);
    const { stdout } = run;
    expect(stdout).toMatch(/^NHSmail care assistant \(terminal chat; state: memory\)/);

    // The menu and the first question, as numbered lists.
    expect(stdout).toContain('\n\nWhat would you like to do?\n   1. Register my organisation for NHSmail\n');
    expect(stdout).toContain('   1. Care provider\n   2. Dental practice\n   3. Hospice\n');
    expect(stdout).toContain('   1. Yes\n   2. No\n');
    expect(stdout).toContain('   1. Email\n   2. Post\n');

    // Every line typed is echoed once, in order, and each got an answer.
    const typed = [...stdout.matchAll(/\nyou> (.*)\n/g)].map((m) => m[1]);
    expect(typed).toEqual(['register', '1', 'no', 'yes', 'no', 'no', 'post']);
    const messages = said(stdout);
    expect(messages.some((m) => m.startsWith('Sorry'))).toBe(false);
    for (const check of [1, 2, 3, 4, 5, 6]) {
      expect(messages.filter((m) => m.includes(`check ${check} of 6`))).toHaveLength(1);
    }

    // "1" picked "Care provider", and the summary is the last thing said.
    const summary = messages[messages.length - 1]!;
    expect(summary).toMatch(/^Before you start · all checks done\./);
    expect(summary).toContain('• Organisation: Care provider');
    expect(summary).toContain('• Passcode to be sent by: post');
    expect(summary).toContain('We will post a one-time passcode to your CQC-registered address. It is valid for 21 days');
    expect(summary).toMatch(/\n {3}\d\. Back\n/);
    expect(summary).toMatch(/\n {3}\d\. Start again(\n|$)/);

    // No log lines in the conversation (logs go to stderr, silent by default).
    expect(stdout).not.toMatch(/"level":/);
  });

  it('exits 0 on an empty input after greeting', async () => {
    const run = await runChat([]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("assistant> Hello, I'm the NHSmail care assistant");
    expect(run.stdout).toContain('   1. Register my organisation for NHSmail');
    expect(run.stdout).not.toContain('you> ');
  });

  it('answers a number with no list shown and garbage without crashing', async () => {
    const run = await runChat(['register', '9', 'purple', 'help', 'menu', 'cancel']);
    expect(run.code).toBe(0);
    const messages = said(run.stdout);
    expect(messages.filter((m) => m.startsWith('Sorry, I did not understand that. Please choose Care provider'))).toHaveLength(2);
    expect(messages.some((m) => m.startsWith('Care homes and home care'))).toBe(true);
    expect(messages.some((m) => m.startsWith('Menu. What would you like to do?'))).toBe(true);
    expect(messages.some((m) => m.startsWith('Cancelled.'))).toBe(true);
  });

  describe('with REDIS_URL', () => {
    let redis: TestRedis;

    beforeAll(async () => {
      redis = await startPrivateRedis();
    });

    afterAll(async () => {
      await redis?.stop();
    });

    it('answers piped lines straight away, not "briefly unavailable" while Redis is connecting', async () => {
      // Regression: the ioredis client fails commands at once until it is connected
      // (enableOfflineQueue: false), so the chat must wait for it before the first turn.
      const run = await runChat(['register', '1'], { REDIS_URL: redis.url });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('state: Redis');
      expect(run.stdout).not.toContain('briefly unavailable');
      expect(run.stdout).toContain('check 2 of 6');
    });
  });

  it.each([
    ['bot/index.js', { PORT: 'abc' }, /PORT must be a whole number from 1 to 65535 \(got "abc"\)/],
    ['bot/chat.js', { REDIS_URL: 'localhost:6379' }, /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
  ])('%s stops at start-up, naming the variable, when the configuration is wrong', async (script, env, message) => {
    const result = spawnSync(process.execPath, [path.join(outDir!, script)], { env: childEnv(env), input: '', encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
  });
});
