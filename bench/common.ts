/** What the benchmarks share: free ports, timed starts (spawn to first HTTP answer), stops, medians, the commit measured. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '..');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Started {
  child: ChildProcess;
  /** Milliseconds from `spawn` to the first HTTP answer at the URL polled. */
  ms: number;
}

/** Children started in a process group of their own (`npm start`: npm, a shell, node), stopped as a group. */
const groups = new WeakSet<ChildProcess>();

/**
 * Spawns `command` and polls `url` every 5 ms until it answers anything over HTTP (up to 60 s); fails early if the
 * process exits. `group`: in a process group of its own, so that stop() reaches the server under a wrapper like npm.
 */
export async function startAndWait(command: string, argv: string[], url: string, env: NodeJS.ProcessEnv = {}, group = false): Promise<Started> {
  const started = performance.now();
  const child = spawn(command, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], detached: group });
  if (group) groups.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  for (;;) {
    if (exited !== undefined) throw new Error(`${command} ${argv.join(' ')} exited with ${exited} before answering:\n${stderr}`);
    if (performance.now() - started > 60_000) {
      kill(child, 'SIGKILL');
      throw new Error(`${command} ${argv.join(' ')}: no answer at ${url} within 60 s:\n${stderr}`);
    }
    try {
      await fetch(url);
      return { child, ms: performance.now() - started };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

function kill(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    if (groups.has(child) && child.pid !== undefined) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // Already gone.
  }
}

/** SIGTERM, then SIGKILL after 10 s (the mock saves what is pending on SIGTERM); a group is signalled whole. */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    kill(child, 'SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  }
  // A group's leader (npm) may exit before the server under it: make sure nothing of it is left.
  if (groups.has(child) || (child.exitCode === null && child.signalCode === null)) kill(child, 'SIGKILL');
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The commit measured, to record figures with: `git rev-parse --short HEAD`, `+dirty` if the working tree has changes. */
export function commitLabel(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en');
