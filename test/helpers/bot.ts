import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type * as restify from 'restify';
import { Assistant, createAssistant } from '../../bot/app';
import { httpTimeouts, loadConfig } from '../../bot/config';
import { createLogger } from '../../bot/logger';
import { AdapterOverrides, createAdapter, createServer } from '../../bot/server';
import { ChannelActivity, LocalChannel, SendResult } from '../../bench/localChannel';
import { freePort, startRedis, TestRedis } from './redis';
import { scaled } from './timeouts';

/** Helpers for end-to-end tests: the bot in this process or as `node dist/bot/index.js`. */

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/**
 * Tests type far faster than people, often on a frozen clock: unless a test sets them, the rate
 * limits and the queue cap are off (test/fault and test/security test them as configured).
 */
export const UNLIMITED: Record<string, string> = {
  RATE_LIMIT_PER_MINUTE: '0',
  USER_RATE_LIMIT_PER_MINUTE: '0',
  CONVERSATION_QUEUE_MAX: '1000',
};

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every `everyMs` until it is true; throws after `timeoutMs`. */
export async function waitFor(
  condition: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 10_000,
  everyMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The HTTP status of GET `${url}${path}`, or 0 when nothing answers. */
export async function statusOf(url: string, route: string): Promise<number> {
  try {
    const response = await fetch(`${url}${route}`, { signal: AbortSignal.timeout(5_000) });
    await response.text();
    return response.status;
  } catch {
    return 0;
  }
}

export interface StartBotOptions {
  /** Where its logs go (default: nowhere). */
  logger?: Logger;
  /** Test seams of the adapter: OpenID metadata on loopback, outbound credentials. */
  adapter?: AdapterOverrides;
  /** A given port (a restart on the same address, e.g. for a page that keeps its conversation per origin). */
  port?: number;
}

export interface RunningBot {
  url: string;
  assistant: Assistant;
  server: restify.Server;
  close(): Promise<void>;
}

/**
 * The bot in this process, as bot/index.ts wires it, on a free loopback port, logging nothing.
 * `env` is what the process environment would hold (REDIS_URL, MicrosoftAppId…). With Redis it
 * resolves once /readyz answers 200 (the client connects asynchronously). `port`: a given one (a
 * restart on the same address, e.g. for a page that keeps its conversation per origin).
 */
export async function startBot(env: Record<string, string> = {}, options: StartBotOptions = {}): Promise<RunningBot> {
  const config = loadConfig({ LOG_LEVEL: 'silent', ...UNLIMITED, ...env });
  const logger = options.logger ?? createLogger('silent');
  const assistant = createAssistant(config, logger);
  const adapter = createAdapter(config, logger, options.adapter);
  const server = createServer({ adapter, bot: assistant.bot, store: assistant.store, logger, webChat: assistant.webChat, backOffice: assistant.backOffice, http: httpTimeouts(config) });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    const http = server.server as unknown as { closeAllConnections?: () => void };
    http.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await assistant.close();
  };
  try {
    await waitFor(async () => (await statusOf(url, '/readyz')) === 200, `the bot at ${url} to be ready`);
  } catch (error) {
    await close();
    throw error;
  }
  return { url, assistant, server, close };
}

/** The text of every message in a result. */
/**
 * The text of every part of the bot's answer. The bot says a turn in one message, its parts
 * (a notice, then the question) separated by a blank line: this reads them back apart.
 */
export function texts(result: SendResult): string[] {
  return result.replies.flatMap((r) => (r.text ?? '').split('\n\n'));
}

/** The button values of the last reply that has buttons ([] when none has). */
export function buttons(result: SendResult): string[] {
  const withActions = result.replies.filter((r) => r.suggestedActions?.actions?.length);
  const last = withActions[withActions.length - 1];
  return (last?.suggestedActions?.actions ?? []).map((a) => String(a.value));
}

/** The last reply's text: the question, stop or summary the bot is waiting on. */
export function lastText(result: SendResult): string {
  const all = texts(result);
  return all[all.length - 1] ?? '';
}

/** "check N of 6" of the last reply, 0 when it is not a question. */
export function checkNumber(result: SendResult): number {
  const match = /check (\d) of 6/.exec(lastText(result));
  return match ? Number(match[1]) : 0;
}

/** One user's conversation with a bot through a local channel. */
export class Chat {
  constructor(
    readonly channel: LocalChannel,
    public botUrl: string,
    readonly id: string,
  ) {}

  /** The user opens the conversation (conversationUpdate with the user added). */
  async start(): Promise<SendResult> {
    return this.expectOk(await this.channel.send(this.botUrl, this.channel.conversationStart(this.id)));
  }

  async say(text: string): Promise<SendResult> {
    return this.expectOk(await this.channel.send(this.botUrl, this.channel.message(this.id, text)));
  }

  /** Sends an activity built elsewhere (e.g. a redelivery) as it is. */
  async post(activity: ChannelActivity): Promise<SendResult> {
    return this.channel.send(this.botUrl, activity);
  }

  message(text: string): ChannelActivity {
    return this.channel.message(this.id, text);
  }

  /** Says each text in turn and returns the last result. */
  async answers(...said: string[]): Promise<SendResult> {
    let result: SendResult | undefined;
    for (const text of said) result = await this.say(text);
    if (!result) throw new Error('nothing to say');
    return result;
  }

  private expectOk(result: SendResult): SendResult {
    if (result.status !== 200) throw new Error(`bot answered ${result.status}: ${result.body}`);
    return result;
  }
}

/** What the compiled output depends on: every source file tsconfig.json includes, and the tools. */
function sourceHash(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|json)$/.test(entry.name)) hash.update(`${path.relative(REPO_ROOT, full)}\0`).update(readFileSync(full)).update('\0');
    }
  };
  for (const dir of ['bot', 'dialogs', 'machines', 'adapters', 'bench', 'scripts']) {
    if (existsSync(path.join(REPO_ROOT, dir))) walk(path.join(REPO_ROOT, dir));
  }
  for (const file of ['tsconfig.json', 'package-lock.json']) {
    if (existsSync(path.join(REPO_ROOT, file))) hash.update(readFileSync(path.join(REPO_ROOT, file)));
  }
  return hash.update(REPO_ROOT).digest('hex').slice(0, 16);
}

const BUILD_PREFIX = 'nhsca-e2e-build-';
const BUILD_DONE = '.e2e-build-done';

function compile(outDir: string): void {
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--outDir', outDir, '--pretty', 'false'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  const emitted = existsSync(path.join(outDir, 'bot', 'index.js')) && existsSync(path.join(outDir, 'bot', 'chat.js'));
  if (result.status === 0 && emitted) return;
  // In CI a type error fails: `npm start` builds with tsconfig.json first and stops on one.
  if (result.status === 2 && emitted && process.env.CI !== 'true') {
    console.warn(`tsc -p tsconfig.json reported type errors (the e2e tests run the emitted code anyway):\n${result.stdout}`);
    return;
  }
  throw new Error(`tsc -p tsconfig.json failed (status ${result.status}):\n${result.stdout}${result.stderr}${result.error ?? ''}`);
}

/**
 * The product compiled with tsconfig.json, as `npm run build` does, into a directory of the
 * system's temp dir named after a hash of the sources; returns that directory. Test files running
 * at the same time share one build (the first one builds under a lock, the others wait for it),
 * a later run with unchanged sources reuses it, and nobody's dist/ is written over. Child
 * processes find node_modules through NODE_PATH (see childEnv).
 *
 * Type errors that still produced output (tsc exit status 2, e.g. in someone's work in progress)
 * are a warning, not a failure, except in CI (CI=true): there they fail, since `npm start` would
 * not start.
 */
export async function buildBot(timeoutMs = scaled(110_000)): Promise<string> {
  const outDir = path.join(os.tmpdir(), `${BUILD_PREFIX}${sourceHash()}`);
  const done = path.join(outDir, BUILD_DONE);
  const lock = `${outDir}.lock`;
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(done)) {
    let locked = false;
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      locked = true;
    } catch {
      // Someone else is building. Their lock is broken only when they are gone (a killed run):
      // a build on a loaded machine may take minutes, and breaking it would start a second one
      // over the first one's output.
      if (lockHolderGone(lock)) rmSync(lock, { recursive: true, force: true });
    }
    if (locked) {
      try {
        if (existsSync(done)) break;
        rmSync(outDir, { recursive: true, force: true });
        compile(outDir);
        writeFileSync(done, new Date().toISOString());
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
      pruneOldBuilds(outDir);
      break;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for another test file to build ${outDir}`);
    await sleep(100);
  }
  return outDir;
}

/** The process that took the lock has exited (or left no pid within a minute of taking it). */
function lockHolderGone(lock: string): boolean {
  try {
    const pid = Number(readFileSync(path.join(lock, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return false;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return true;
    if (code === 'EPERM') return false;
    // No pid file yet (just taken) or no lock any more.
    try {
      return Date.now() - statSync(lock).mtimeMs > 60_000;
    } catch {
      return false;
    }
  }
}

/** Builds of other sources, untouched for an hour, are removed. */
function pruneOldBuilds(keep: string): void {
  for (const name of readdirSync(os.tmpdir())) {
    const full = path.join(os.tmpdir(), name);
    if (!name.startsWith(BUILD_PREFIX) || full === keep || name.endsWith('.lock')) continue;
    try {
      if (Date.now() - statSync(full).mtimeMs > 60 * 60 * 1000) rmSync(full, { recursive: true, force: true });
    } catch {
      // Gone already.
    }
  }
}

/** The environment for a child process: this one's, less anything that would change the bot. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['REDIS_URL', 'PORT', 'MicrosoftAppId', 'MicrosoftAppPassword', 'MicrosoftAppType', 'MicrosoftAppTenantId', 'STATE_TTL_DAYS', 'LOG_LEVEL', 'CHAT_CONVERSATION_ID']) {
    delete base[key];
  }
  const nodePath = [path.join(REPO_ROOT, 'node_modules'), process.env.NODE_PATH].filter(Boolean).join(path.delimiter);
  for (const key of Object.keys(UNLIMITED)) delete base[key];
  return { ...base, NODE_PATH: nodePath, NODE_NO_WARNINGS: '1', ...UNLIMITED, ...env };
}

export interface BotProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** What the process wrote so far (logs), for failure messages. */
  output(): string;
  /** SIGKILL, as a crash or an OOM kill would. Resolves when the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

/** Runs `node <outDir>/bot/index.js` on a free port and resolves once /readyz answers 200. */
export async function spawnBot(outDir: string, env: Record<string, string>): Promise<BotProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(outDir, 'bot', 'index.js')], {
    cwd: REPO_ROOT,
    env: childEnv({ LOG_LEVEL: 'warn', ...env, PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const url = `http://127.0.0.1:${port}`;
  const bot: BotProcess = {
    url,
    port,
    child,
    output: () => output,
    kill: async () => {
      if (!gone()) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (!gone()) child.kill('SIGTERM');
      return exited;
    },
  };
  try {
    await waitFor(
      async () => {
        if (gone()) throw new Error(`the bot exited with ${child.exitCode ?? child.signalCode}:\n${output}`);
        return (await statusOf(url, '/readyz')) === 200;
      },
      `the bot process on port ${port} to be ready`,
      scaled(20_000),
      50,
    );
  } catch (error) {
    await bot.kill();
    throw error;
  }
  return bot;
}

/**
 * A Redis of this test file's own, even when REDIS_URL points at a shared one: the bot has no
 * setting for its key prefix (it always writes under `nhsca:`), so tests that let the bot choose
 * its keys get a private redis-server.
 */
export async function startPrivateRedis(): Promise<TestRedis> {
  const external = process.env.REDIS_URL;
  delete process.env.REDIS_URL;
  try {
    return await startRedis();
  } finally {
    if (external !== undefined) process.env.REDIS_URL = external;
  }
}

/** What a user types for one invented staff member: a distinct name, email and mobile per (n, series). */
export interface TypedMember {
  firstName: string;
  lastName: string;
  email: string;
  /** As typed: "07400 05SSNN". */
  mobile: string;
  /** The same mobile as the bot stores it (E.164). */
  e164: string;
}

const INVENTED_FIRST_NAMES = ['Amira', 'Ben', 'Chloe', 'Dev', 'Ellen', 'Farid', 'Grace', 'Hugo', 'Isla', 'Jonah', 'Kemi', 'Liam'];
const INVENTED_LAST_NAMES = ['Ashworth', "O'Brien", 'Chaudhry', 'Dlamini', 'Evans-Clark', 'Fitzgerald', 'Gallagher', 'Hussain', 'Ibbotson', 'Jankowski', 'Kowalczyk', 'Lund'];

/**
 * The n-th (0-based, n < 100) invented member of a series (0–99). Mobiles are 07400 05SSNN: GB
 * mobiles outside both the directory's fixture range (+4474000000xx) and its generated range
 * (+447400100000 and up), so no existing NHSmail account has them.
 */
export function inventedMember(n: number, series = 0): TypedMember {
  const firstName = INVENTED_FIRST_NAMES[n % INVENTED_FIRST_NAMES.length]!;
  const lastName = INVENTED_LAST_NAMES[(n * 5 + series) % INVENTED_LAST_NAMES.length]!;
  const digits = `05${String(series).padStart(2, '0')}${String(n).padStart(2, '0')}`;
  const domain = ['example.co.uk', 'example.com', 'example.org'][n % 3];
  const local = `${firstName}.${lastName}`.toLowerCase().replace(/[^a-z.]/g, '');
  return { firstName, lastName, email: `${local}.${series}${n}@${domain}`, mobile: `07400 ${digits}`, e164: `+447400${digits}` };
}

export interface ChatRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the terminal chat (`<build>/bot/chat.js`) with these lines on its standard input. */
export function runChat(outDir: string, lines: string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<ChatRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(outDir, 'bot', 'chat.js')], {
      cwd: REPO_ROOT,
      env: childEnv({ CHAT_CONVERSATION_ID: `terminal-test-${randomUUID()}`, ...env }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the chat did not exit within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(lines.map((line) => `${line}\n`).join(''));
  });
}

/** What the assistant said in a terminal chat, message by message (with its numbered choices). */
export function chatSaid(stdout: string): string[] {
  return stdout
    .split('\nassistant> ')
    .slice(1)
    .map((block) => block.split('\n\nyou> ')[0]!.trim());
}
