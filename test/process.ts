import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The commands as the package ships them (package.json bin): bundled by server/bundle.mjs (npm run compile). */
export const MAIN = path.resolve('dist/bundle/main.mjs');
export const CONTRACT = path.resolve('dist/bundle/contract.mjs');

export interface RunningServer {
  child: ChildProcess;
  base: string;
  output: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Starts a node script and waits until its stdout matches `ready` (a server's banner); fails if it exits first. */
export async function startUntil(args: string[], ready: RegExp, env: Record<string, string> = {}, timeoutMs = 10_000) {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    const check = () => {
      const found = ready.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready:\n${output}`));
    });
  });
  return { child, match, output: () => output, exited };
}

/** Starts the compiled server (`npm start` runs the same file) on a free port and waits for its banner. */
export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first (npm test does)`);
  // The consent page unless a test asks otherwise (CI=true would otherwise turn on auto-consent).
  const started = await startUntil([MAIN], /listening on (http:\/\/\S+)/, { PORT: '0', HOST: '127.0.0.1', PHONEBRIDGE_AUTO_CONSENT: '0', ...env });
  return { child: started.child, base: started.match[1]!, output: started.output, exited: started.exited };
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr as they came. */
  output: string;
}

/** Runs a compiled script (the mock's or the contract command's) to its end, with extra environment. */
export function runNode(script: string, args: string[], env: Record<string, string> = {}): Promise<Finished> {
  return runCommand(process.execPath, [path.resolve(script), ...args], env);
}

/** Runs a command to its end, with extra environment, collecting what it prints. */
export function runCommand(command: string, args: string[], env: Record<string, string> = {}): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '', output: '' };
    child.stdout.on('data', (c) => ((out.stdout += c), (out.output += c)));
    child.stderr.on('data', (c) => ((out.stderr += c), (out.output += c)));
    child.on('exit', (code) => resolve({ code, ...out }));
  });
}
