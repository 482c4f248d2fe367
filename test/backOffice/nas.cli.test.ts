import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Redis } from 'ioredis';
import type { NasRequest } from '../../adapters/nasRequests';
import { createRedisClient, waitUntilReady } from '../../adapters/redisConversationStore';
import { NAS_CONSUMER_GROUP, RedisNasRequests } from '../../adapters/redisNasRequests';
import { RedisOutbox } from '../../adapters/redisOutbox';
import { RedisServiceEvents } from '../../adapters/redisServiceEvents';
import { londonDay } from '../../adapters/serviceEvents';
import { EXIT, main, parseStatus } from '../../scripts/nas';
import { buildBot, childEnv, REPO_ROOT, startPrivateRedis } from '../helpers/bot';
import { freePort, TestRedis } from '../helpers/redis';
import { scaled } from '../helpers/timeouts';
import { newOdsCode, registration } from '../helpers/nasRequests';

const execFileAsync = promisify(execFile);

/** `npm run nas -- …` in this process: its exit code and what it printed. */
async function nas(env: Record<string, string>, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { ...env }, (line) => out.push(line), (line) => err.push(line));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('npm run nas: arguments', () => {
  const env = { REDIS_URL: 'redis://127.0.0.1:1' };

  it('prints how to use it for no command, help or -h', async () => {
    for (const argv of [[], ['help'], ['list', '--help'], ['-h']]) {
      const result = await nas(env, ...argv);
      expect(result.code).toBe(EXIT.ok);
      expect(result.out).toMatch(/^Usage: npm run nas -- <command>/);
    }
  });

  it.each([
    [['frobnicate'], /^unknown command "frobnicate": use list, show, take, update, export, stats, counts/],
    [['list', '--colour', 'red'], /Unknown option '--colour'/],
    [['show'], /^show REF: which request\?/],
    [['show', 'REG-7KD9QX2P', 'extra'], /^show takes no more words after it \(got "extra"\)/],
    [['update', 'REG-7KD9QX2P'], /^update REF STATUS: which status\?/],
    [['update'], /^update REF STATUS: which request\?/],
    [['show', '--reason', 'x', 'REG-7KD9QX2P'], /^show does not take --reason/],
    [['list', '--json', 'yes'], /^list takes no words after it \(got "yes"\)/],
  ])('refuses %j before doing anything (exit 2)', async (argv, message) => {
    const result = await nas(env, ...argv);
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toMatch(message);
    expect(result.err).toMatch(/Usage: npm run nas/);
  });

  it.each([
    ['in-progress', 'inProgress'],
    ['In Progress', 'inProgress'],
    ['waiting', 'waitingForRequester'],
    ['waiting-for-the-requester', 'waitingForRequester'],
    ['DONE', 'done'],
    ['completed', 'done'],
    ['rejected', 'rejected'],
    ['received', 'received'],
  ])('reads the status %s as %s', (word, status) => {
    expect(parseStatus(word)).toBe(status);
  });

  it('refuses a status that is not one', () => {
    expect(() => parseStatus('finished-ish')).toThrow('"finished-ish" is not a status: use received, in-progress, waiting, done or rejected');
  });

  it('says what to do without a Redis, or when Redis cannot be reached (exit 1)', async () => {
    const none = await nas({}, 'list');
    expect(none.code).toBe(EXIT.failed);
    expect(none.err).toMatch(/^No Redis is set \(REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS\)\. The back office works on the requests in the Redis the bot uses/);
    const port = await freePort();
    const away = await nas({ REDIS_URL: `redis://:secret@127.0.0.1:${port}` }, 'list');
    expect(away.code).toBe(EXIT.failed);
    expect(away.err).toMatch(/^The Redis the bot uses \(redis redis:\/\/127\.0\.0\.1:\d+\) cannot be reached/);
    expect(away.err).not.toContain('secret');
  });
});

describe('npm run nas: working the requests in Redis', () => {
  let redis: TestRedis;
  let client: Redis;
  let store: RedisNasRequests;
  let env: Record<string, string>;
  const refs: string[] = [];
  const orgs: string[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    env = { REDIS_URL: redis.url };
    client = createRedisClient(redis.url);
    await waitUntilReady(client);
    store = new RedisNasRequests(client);
    for (let i = 0; i < 4; i++) {
      orgs.push(newOdsCode());
      // Web chat requesters whose conversations are gone: telling them reaches nothing off this machine.
      const made = await store.submit(registration(orgs[i]!, { manager: ['Jane', 'Ruth', 'Omar', 'Lena'][i], channelId: 'webchat' }));
      if (made.outcome === 'created') refs.push(made.request.reference);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
  });

  afterAll(async () => {
    await client?.quit();
    await redis?.stop();
  });

  it('lists the requests newest first, filtered, a page at a time', async () => {
    const all = await nas(env, 'list');
    expect(all.code).toBe(EXIT.ok);
    const lines = all.out.split('\n');
    expect(lines[0]).toMatch(/^REFERENCE\s+KIND\s+STATUS\s+MADE\s+TAKEN BY\s+ABOUT$/);
    expect(lines.slice(1).map((l) => l.slice(0, 12))).toEqual([...refs].reverse());
    const paged = await nas(env, 'list', '--limit', '3');
    expect(paged.out).toMatch(/More: npm run nas -- list … --cursor \S+$/);
    const cursor = /--cursor (\S+)$/.exec(paged.out)![1]!;
    expect((await nas(env, 'list', '--limit', '3', '--cursor', cursor)).out.split('\n').slice(1).map((l) => l.slice(0, 12))).toEqual([refs[0]]);
    const json = JSON.parse((await nas(env, 'list', '--org', orgs[2]!.toLowerCase(), '--status', 'received', '--kind', 'registration', '--json')).out);
    expect(json.requests.map((r: NasRequest) => r.reference)).toEqual([refs[2]]);
    const bad = await nas(env, 'list', '--status', 'open');
    expect([bad.code, bad.err]).toEqual([EXIT.usage, 'unknown status "open": use received, inProgress, waitingForRequester, done, rejected']);
    expect((await nas(env, 'list', '--limit', '0')).err).toBe('--limit must be a whole number from 1 to 200 (got "0")');
    expect((await nas(env, 'list', '--queue', 'hospice')).err).toBe('--queue must be care or dental (got "hospice")');
    expect((await nas(env, 'list', '--cursor', 'nonsense')).code).toBe(EXIT.usage);
  });

  it('shows a request with its members and history; an unknown one is exit 3', async () => {
    const shown = await nas(env, 'show', refs[0]!.toLowerCase());
    expect(shown.code).toBe(EXIT.ok);
    expect(shown.out).toMatch(new RegExp(`^${refs[0]}  registration, received \\(version 1\\)`));
    expect(shown.out).toMatch(/1\. Mrs Jane O'Neill\s+jane\.oneill@example\.org\s+\+447400123456\s+Registered Manager\s+owner, shared mailbox, mailbox admin/);
    expect(shown.out).toMatch(/May become:\s+in-progress, waiting, rejected\n/);
    expect(shown.out).toMatch(/received\s+requester\s+-$/m);
    expect(await nas(env, 'show', 'REG-ABCDEFGH')).toEqual({ code: EXIT.notFound, out: '', err: 'There is no request REG-ABCDEFGH.' });
    expect((await nas(env, 'show', 'nonsense')).err).toBe('"nonsense" is not a NAS reference (e.g. REG-7KD9QX2P)');
  });

  it('never gives two workers taking at once the same request, and offers one a worker left holding for 10 minutes again', async () => {
    const [a, b] = await Promise.all([nas(env, 'take', '--queue', 'care', '--as', 'Sam Jones', '--json'), nas(env, 'take', '--queue', 'care', '--as', 'Ali Khan', '--json')]);
    expect([a.code, b.code]).toEqual([EXIT.ok, EXIT.ok]);
    const [takenA, takenB] = [JSON.parse(a.out), JSON.parse(b.out)];
    expect(new Set([takenA.reference, takenB.reference]).size).toBe(2);
    expect([takenA.reference, takenB.reference].sort()).toEqual([refs[0], refs[1]].sort());
    expect(takenA).toMatchObject({ status: 'inProgress', assignee: 'Sam Jones' });

    // Sam's laptop dies holding his request: Redis has held its entry 11 minutes.
    const { stream } = store.queueKeys('care');
    const held = (await client.xpending(stream, NAS_CONSUMER_GROUP, '-', '+', 10, 'Sam Jones')) as [string, string, number, number][];
    expect(held).toHaveLength(1);
    await client.xclaim(stream, NAS_CONSUMER_GROUP, 'Sam Jones', 0, held[0]![0], 'IDLE', 11 * 60_000, 'JUSTID');
    const again = await nas(env, 'take', '--queue', 'care', '--as', 'Priya');
    expect(again.code).toBe(EXIT.ok);
    expect(again.out).toMatch(new RegExp(`^You \\(Priya\\) have taken ${takenA.reference}\\.`));
    expect(again.out).toMatch(/Taken by:\s+Priya/);

    const next = await nas(env, 'take', '--queue', 'care', '--as', 'Priya');
    expect(next.code).toBe(EXIT.ok);
    const nextAgain = await nas(env, 'take', '--queue', 'care', '--as', 'Priya');
    expect(nextAgain.code).toBe(EXIT.ok);
    expect(await nas(env, 'take', '--queue', 'care', '--as', 'Priya')).toEqual({ code: EXIT.notFound, out: '', err: 'Nothing is waiting in the care queue.' });
    expect((await nas(env, 'take')).err).toBe('--queue is needed: care or dental');
  });

  it('changes a status through the status machine, refusing what it may not do (exit 4) and a stale --version', async () => {
    const ref = refs[2]!;
    const request = (await store.get(ref))!;
    const stale = await nas(env, 'update', ref, 'waiting', '--question', 'Which town?', '--version', String(request.version - 1), '--as', 'Sam Jones');
    expect(stale.code).toBe(EXIT.refused);
    expect(stale.err).toMatch(new RegExp(`^${ref} has changed since version ${request.version - 1} \\(it is now version ${request.version}, in progress\\): nothing was changed`));
    const noQuestion = await nas(env, 'update', ref, 'waiting', '--as', 'Sam Jones');
    expect([noQuestion.code, noQuestion.err]).toEqual([EXIT.refused, 'Not changed: a question for the requester is required (add --question "…").']);
    const back = await nas(env, 'update', ref, 'received', '--as', 'Sam Jones');
    expect(back.err).toBe('Not changed: a request that is in progress cannot become received: it may move to waiting for the requester, done, rejected.');
    const asked = await nas(env, 'update', ref, 'waiting', '--question', 'Which town is the home in?', '--as', 'Sam Jones', '--version', String(request.version));
    expect(asked.code).toBe(EXIT.ok);
    expect(asked.out).toMatch(new RegExp(`^${ref} is now waiting for the requester \\(it was in progress; version ${request.version + 1}\\)\\.`));
    const rejected = await nas(env, 'update', ref, 'rejected', '--as', 'Sam Jones');
    expect(rejected.err).toBe('Not changed: a reason for the rejection is required (add --reason "…").');
    expect((await nas(env, 'update', 'REG-ABCDEFGH', 'done')).code).toBe(EXIT.notFound);
  });

  it('marks a registration done: the welcome messages are recorded and the time to done counted', async () => {
    const ref = refs[3]!;
    const done = await nas(env, 'update', ref, 'done', '--as', 'Sam Jones');
    expect(done.code).toBe(EXIT.ok);
    expect(done.out).toMatch(/is now done/);
    expect(done.out).toContain('4 welcome emails and password texts were recorded for the members (npm run outbox).');
    const outbox = await new RedisOutbox(client).latest(10);
    expect(outbox.filter((m) => m.tags?.reference === ref).map((m) => m.channel).sort()).toEqual(['email', 'email', 'sms', 'sms']);
    const today = londonDay(Date.now());
    const counts = await new RedisServiceEvents(client, { flushMs: 0 }).counts({ from: today, to: today });
    expect(counts.counters.filter((c) => c.name === 'requestDone').reduce((n, c) => n + c.count, 0)).toBe(1);
    expect(counts.durations).toHaveLength(1);
    const stats = await nas(env, 'stats', '--days', '7');
    expect(stats.code).toBe(EXIT.ok);
    expect(stats.out).toMatch(/^How the assistant is doing, \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} \(London dates\)/);
    expect(stats.out).toMatch(/Requests made \/ done \/ rejected\s+0 \/ 1 \/ 0/);
    expect(stats.out).toMatch(/Time from request to done\nKIND\s+DONE\s+MEDIAN\nall kinds\s+1\s+1 minute/);
    expect((await nas(env, 'stats', '--from', '2025-02-01', '--to', '2025-01-01')).err).toMatch(/before it starts/);
    expect((await nas(env, 'stats', '--from', '2025-01-01', '--days', '3')).err).toBe('give --from or --days, not both');
  });

  it('exports the requests as CSV or JSON, to standard output or a file', async () => {
    const csv = await nas(env, 'export', '--format', 'csv');
    expect(csv.code).toBe(EXIT.ok);
    const lines = csv.out.split('\r\n');
    expect(lines[0]).toBe('reference,kind,queue,odsCode,status,summary,assignee,duplicateOf,createdAt,updatedAt,version');
    expect(lines).toHaveLength(5);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'nas-export-'));
    const file = path.join(dir, 'done.json');
    const written = await nas(env, 'export', '--format', 'json', '--status', 'done', '--out', file);
    expect(written.out).toBe(`Wrote 1 requests to ${file}.`);
    expect(JSON.parse(await readFile(file, 'utf8')).requests.map((r: NasRequest) => r.reference)).toEqual([refs[3]]);
    await rm(dir, { recursive: true, force: true });
    expect((await nas(env, 'export')).err).toBe('--format must be csv or json');
  });

  it('counts a queue by status and kind', async () => {
    const counts = await nas(env, 'counts', '--queue', 'care');
    expect(counts.out.split('\n')).toEqual([
      'STATUS                     registration  ALL',
      'received                              0    0',
      'in progress                           2    2',
      'waiting for the requester             1    1',
      'done                                  1    1',
      'rejected                              0    0',
    ]);
  });

  it('shows a password reset in words: the account, the mobile for the temporary password, how the requester was checked', async () => {
    const at = Date.UTC(2026, 11, 2, 16, 5);
    const made = await store.submit({
      kind: 'passwordReset',
      queue: 'dental',
      odsCode: 'DODSC1',
      details: {
        account: { address: 'leah.doyle@nhs.net', name: 'Leah Doyle', odsCode: 'DODSC1' },
        mobile: '+447400000053',
        verification: { verifiedBy: 'owner', at, owner: { address: 'nia.pryce@nhs.net', name: 'Nia Pryce' }, answer: 'yes', askedAt: at - 3_600_000, via: 'teams' },
      },
      idempotencyKey: `reset-${Date.now()}`,
      requester: { conversationKey: 'gone', conversationReference: null, channelId: 'webchat' },
    });
    if (made.outcome !== 'created') throw new Error(made.outcome);
    const shown = await nas(env, 'show', made.request.reference);
    expect(shown.out).toContain('Account:                Leah Doyle (leah.doyle@nhs.net), ODS code DODSC1');
    expect(shown.out).toContain('Temporary password to:  07400 000053 (text it there; never through the chat)');
    expect(shown.out).toContain(
      'Checked:                by shared mailbox owner Nia Pryce (nia.pryce@nhs.net), who said yes in their Teams chat on 2 December 2026 at 4:05pm (asked 2 December 2026 at 3:05pm); the mobile is the one the requester gave',
    );
    expect(shown.out).not.toMatch(/"verifiedBy"|\d{13}/);
    await nas(env, 'update', made.request.reference, 'rejected', '--reason', 'test request', '--as', 'Sam Jones');
  });

  it('runs as `node dist/scripts/nas.js`, as npm run nas does', async () => {
    const outDir = await buildBot(scaled(110_000));
    const { stdout } = await execFileAsync(process.execPath, [path.join(outDir, 'scripts', 'nas.js'), 'show', refs[0]!], { cwd: REPO_ROOT, env: childEnv(env) });
    expect(stdout).toMatch(new RegExp(`^${refs[0]}  registration`));
    const failed = await execFileAsync(process.execPath, [path.join(outDir, 'scripts', 'nas.js'), 'show', 'REG-ABCDEFGH'], { cwd: REPO_ROOT, env: childEnv(env) }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: EXIT.notFound, stderr: 'There is no request REG-ABCDEFGH.\n' });
  }, scaled(180_000));

  it('prints only its answer when a command works (no log line), though the outbox tidy-up of starting is cut short by leaving', async () => {
    const outDir = await buildBot();
    // Enough in the outbox that its tidy-up (a look at each dedupe key) outlasts a quick command.
    const outbox = new RedisOutbox(client);
    const pipeline = client.pipeline();
    for (let i = 0; i < 20_000; i++) pipeline.hset(outbox.dedupeKeyFor(`tidy-${i}`), 'id', `m${i}`);
    await pipeline.exec();
    try {
      for (let i = 0; i < 3; i++) {
        const { stdout, stderr } = await execFileAsync(process.execPath, [path.join(outDir, 'scripts', 'nas.js'), 'list', '--limit', '1'], { cwd: REPO_ROOT, env: childEnv(env) });
        expect(stdout).toMatch(/^REFERENCE/);
        expect(stdout).not.toMatch(/"level":/);
        expect(stderr).toBe('');
      }
      // Warnings (here: the Emulator mode of a configuration without credentials) go to standard
      // error, so what is redirected to a file is the export alone.
      const exported = await execFileAsync(process.execPath, [path.join(outDir, 'scripts', 'nas.js'), 'export', '--format', 'json'], { cwd: REPO_ROOT, env: childEnv(env) });
      expect(Array.isArray(JSON.parse(exported.stdout).requests)).toBe(true);
      const fresh = await store.submit(registration(newOdsCode(), { channelId: 'webchat' }));
      if (fresh.outcome !== 'created') throw new Error(fresh.outcome);
      const ref = fresh.request.reference;
      const updated = await execFileAsync(process.execPath, [path.join(outDir, 'scripts', 'nas.js'), 'update', ref, 'in-progress', '--as', 'Sam Jones'], { cwd: REPO_ROOT, env: childEnv(env) });
      expect(updated.stdout).toMatch(new RegExp(`^${ref} is now in progress \\(it was received; version 2\\)\\.\n`));
      expect(updated.stdout).not.toMatch(/"level":/);
    } finally {
      for (let i = 0; i < 20_000; i += 1_000) await client.del(...Array.from({ length: 1_000 }, (_, j) => outbox.dedupeKeyFor(`tidy-${i + j}`)));
    }
  }, scaled(180_000));
});
