import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The benchmark's child processes (bots), and what /proc says about processes and the machine. */

export const ROOT = path.resolve(__dirname, '..', '..');
const children = new Set<ChildProcess>();

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  /** Last lines of stdout+stderr, for diagnostics. */
  tail: string[];
  /** pino lines at warn (40) or above, by message. */
  warnings: Map<string, number>;
  stop(): Promise<void>;
}

export function startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
  children.add(proc);
  if (proc.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  const tail: string[] = [];
  const warnings = new Map<string, number>();
  const collect = (stream: NodeJS.ReadableStream | null) => {
    let partial = '';
    // Always drained: pino writes synchronously, a full pipe would stall the bot.
    stream?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim()) continue;
        tail.push(line);
        if (tail.length > 40) tail.shift();
        const level = /"level":(\d+)/.exec(line);
        if (level && Number(level[1]) >= 40) {
          const msg = /"msg":"([^"]*)"/.exec(line)?.[1] ?? line.slice(0, 120);
          // With the error's own message, so that the report says why.
          const why = /"err":\{"type":"[^"]*","message":"([^"]{0,80})/.exec(line)?.[1];
          const key = why ? `${msg} (${why})` : msg;
          warnings.set(key, (warnings.get(key) ?? 0) + 1);
        }
      }
    });
  };
  collect(proc.stdout);
  collect(proc.stderr);
  const exited = new Promise<void>((resolve) => {
    const done = () => {
      children.delete(proc);
      resolve();
    };
    proc.once('exit', done);
    proc.once('error', done);
  });
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const fallback = setTimeout(() => proc.kill('SIGKILL'), 8_000);
    await exited;
    clearTimeout(fallback);
  };
  return { name, process: proc, pid: proc.pid, tail, warnings, stop };
}

/** Kills whatever is still running (each child by its own pid). */
export function killChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

export async function waitForStatus(url: string, deadline: number, child: Child): Promise<void> {
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new Error(`${child.name} exited before ${url} answered:\n${child.tail.join('\n')}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.text();
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
  throw new Error(`${url} did not answer 200 in time (last: ${last}):\n${child.tail.join('\n')}`);
}

const CLOCK_TICKS = (() => {
  const probe = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const ticks = Number(probe.stdout?.trim());
  return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
})();

/** utime + stime of a process (all its threads), in milliseconds, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** Busy time of the whole machine (all cores, all processes), in milliseconds, from /proc/stat. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 1000) / CLOCK_TICKS;
}

/** Peak resident set size (VmHWM) in KiB, from /proc/<pid>/status. */
export function peakRssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) : NaN;
}

/** The other processes' names and CPU use over a window, to say what else was running. */
export function topProcesses(limit = 5): { pid: number; command: string; cpuPercent: number }[] {
  const probe = spawnSync('ps', ['-eo', 'pid,pcpu,comm', '--sort=-pcpu', '--no-headers'], { encoding: 'utf8' });
  return (probe.stdout ?? '')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length >= 3)
    .slice(0, limit)
    .map(([pid, cpu, ...command]) => ({ pid: Number(pid), command: command.join(' '), cpuPercent: Number(cpu) }));
}
