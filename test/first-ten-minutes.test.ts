/**
 * The first ten minutes of a new user, for real: the packed package installed into a new project, its two
 * commands run from there with npm offline, and every shell block of README.md run in order against that
 * mock, so that the README cannot drift from what the mock does.
 *
 * README conventions (CONTRIBUTING.md): `<!-- not run: reason -->` before a block skips it (reported as
 * skipped, with the reason); `<!-- run in the background -->` starts it and leaves it running; each
 * `# -> text` line must appear in the block's output, after the previous one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

export interface ReadmeBlock {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  mode: 'run' | 'background' | 'skip';
  reason?: string;
  /** `# -> text` lines, in order. */
  expected: string[];
}

/** The fenced blocks of a Markdown text, with the marker comment before each (lists may indent them). */
export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)```(\w+)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && lines[j]!.trim() !== '```') body.push(lines[j++]!.slice(indent));
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    const marker = /^<!--\s*(not run:\s*(.*?)|run in the background)\s*-->$/.exec(lines[k]?.trim() ?? '');
    const code = body.join('\n');
    blocks.push({
      line: i + 1,
      lang: open[2]!,
      code,
      mode: !marker ? 'run' : marker[2] !== undefined ? 'skip' : 'background',
      reason: marker?.[2],
      expected: body.map((l) => /^\s*# -> (.*)$/.exec(l)?.[1]?.trim()).filter((e): e is string => e !== undefined),
    });
    i = j;
  }
  return blocks;
}

const ROOT = process.cwd();
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const BLOCKS = readmeBlocks(README);
const SHELL = BLOCKS.filter((b) => b.lang === 'sh');
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Finished {
  code: number | null;
  stdout: string;
  output: string;
}

/** Runs a command to its end in `cwd` with `env`; a process group of its own so that nothing it starts is left behind. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out = { stdout: '', output: '' };
    child.stdout.on('data', (c) => ((out.stdout += c), (out.output += c)));
    child.stderr.on('data', (c) => (out.output += c));
    const timer = setTimeout(() => kill(child), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, ...out });
    });
  });
}

const background: ChildProcess[] = [];
function kill(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    // already gone
  }
}

/** Starts a long-running command and waits until it prints that it listens. */
async function startInBackground(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<() => string> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  background.push(child);
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening within 20 s:\n${output}`)), 20_000);
    const check = () => /listening on/.test(output) && (clearTimeout(timer), resolve());
    child.stdout.on('data', check);
    child.on('exit', (code) => (clearTimeout(timer), reject(new Error(`exited with ${code} before listening:\n${output}`))));
  });
  return () => output;
}

/** Each `expected` text in `output`, in order; the first one missing, or undefined. */
function missingExpectation(output: string, expected: readonly string[]): string | undefined {
  let from = 0;
  for (const text of expected) {
    const at = output.indexOf(text, from);
    if (at < 0) return text;
    from = at + text.length;
  }
  return undefined;
}

describe('README conventions', () => {
  it('every block that is not run says why, and the walkthrough blocks are run', () => {
    for (const block of BLOCKS.filter((b) => b.mode === 'skip')) expect(block.reason, `README line ${block.line}`).toMatch(/\w{3,}/);
    expect(SHELL.filter((b) => b.mode === 'run').length).toBeGreaterThanOrEqual(10);
    expect(SHELL.filter((b) => b.mode === 'background').map((b) => b.code.trim().split(/\s+/).slice(0, 3).join(' '))).toEqual([
      'npx phonebridge-mock #',
      'npx phonebridge-mock receiver',
    ]);
  });

  it('the reader finds the expectations: a missing one is reported', () => {
    expect(missingExpectation('{"a":1}{"b":2}', ['"a":1', '"b":2'])).toBeUndefined();
    expect(missingExpectation('{"a":1}{"b":2}', ['"b":2', '"a":1'])).toBe('"a":1');
    const [block] = readmeBlocks('<!-- not run: needs Docker -->\n```sh\ndocker ps\n# -> CONTAINER\n```\n');
    expect(block).toMatchObject({ mode: 'skip', reason: 'needs Docker', expected: ['CONTAINER'] });
  });
});

describe('the first ten minutes, from a new project with the packed package', () => {
  let work: string;
  let project: string;
  let install: Finished;
  let mockPort: number;
  let receiverPort: number;
  /** A developer's shell: none of the mock's settings, npm unable to reach any registry. */
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'pbm-first-'));
    project = path.join(work, 'vendor-app');
    // npm test compiled dist/ just before; --ignore-scripts keeps the pack from compiling again.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT, process.env);
    expect(packed.code, packed.output).toBe(0);
    const tarball = path.join(work, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
    rmSync(project, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(project));
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'vendor-app', private: true, type: 'module' }));
    install = await run('npm', ['install', '--save-dev', '--prefer-offline', '--no-audit', '--no-fund', tarball], project, process.env);
    expect(install.code, install.output).toBe(0);

    env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(PHONEBRIDGE_|PORT$|HOST$)/.test(name)));
    Object.assign(env, { npm_config_offline: 'true', npm_config_registry: 'http://127.0.0.1:9/', NO_COLOR: '1' });
    [mockPort, receiverPort] = [await freePort(), await freePort()];
  }, 180_000);

  afterAll(() => {
    for (const child of background.splice(0)) kill(child);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('npm install of the tarball prints no engine warning', () => {
    expect(install.output).not.toMatch(/EBADENGINE/);
  });

  it('npx phonebridge-mock --version, offline', async () => {
    const { code, stdout, output } = await run('npx', ['phonebridge-mock', '--version'], project, env);
    expect(code, output).toBe(0);
    expect(stdout.trim()).toBe(VERSION);
  });

  it('npx phonebridge-mock --port 0 prints the port it got, and answers there', async () => {
    const output = await startInBackground('npx', ['phonebridge-mock', '--port', '0', '--db', ':memory:'], project, env);
    const url = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(output())!;
    expect(Number(url[2])).toBeGreaterThan(0);
    expect((await fetch(`${url[1]}/__admin/health`)).status).toBe(200);
    kill(background.pop()!);
  });

  it("the README's startMock example runs in the project, offline", async () => {
    const example = BLOCKS.find((b) => b.lang === 'ts' && b.code.includes('startMock'))!;
    writeFileSync(path.join(project, 'example.mjs'), `${example.code}\nconsole.log(process.env.ZOHO_API_BASE);\n`);
    const { code, stdout, output } = await run('node', ['example.mjs'], project, env);
    expect(code, output).toBe(0);
    expect(stdout.trim()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  const substitute = (text: string) =>
    text
      .replaceAll('127.0.0.1:4010', `127.0.0.1:${mockPort}`)
      .replaceAll('127.0.0.1:9000', `127.0.0.1:${receiverPort}`)
      .replaceAll('--port 9000', `--port ${receiverPort}`);

  // Variables set by an earlier block carry over, as in one terminal (plain assignments only: one that runs a
  // command, such as TENANT=$(curl ...), would run it again).
  const session: string[] = [];
  for (const block of SHELL) {
    const title = `README line ${block.line}: ${block.code
      .split('\n')
      .find((l) => l.trim() && !l.startsWith('#'))
      ?.trim()}`;
    if (block.mode === 'skip') {
      it.skip(`${title} (not run: ${block.reason})`, () => {});
      continue;
    }
    it(
      title,
      async () => {
        const blockEnv = { ...env, PORT: String(mockPort) };
        if (block.mode === 'background') {
          await startInBackground('bash', ['-c', substitute(block.code)], project, blockEnv);
          return;
        }
        const script = substitute([...session, block.code].join('\n'));
        session.push(...block.code.split('\n').filter((line) => /^[A-Za-z_]\w*=/.test(line) && !line.includes('$(')));
        const { code, output } = await run('bash', ['-e', '-o', 'pipefail', '-c', script], project, blockEnv, 90_000);
        expect(code, `exit status of the block at README line ${block.line}:\n${output}`).toBe(0);
        const missing = missingExpectation(output, block.expected.map(substitute));
        expect(missing, `"# -> ${missing}" (README line ${block.line}) is not in what the block printed:\n${output}`).toBeUndefined();
      },
      90_000,
    );
  }
});
