/**
 * phonebridge-mock against the generic servers a vendor would use instead,
 * side by side on this machine: a bare Express 5 app (urlencoded, no
 * validation, one fixed answer) and Prism's mock on our own document. Each
 * answers the same validated `POST callreceived` with a form body, loaded by
 * autocannon (50 connections), the targets interleaved round by round so a
 * slow minute of a shared machine hits all of them. Then cold start: from
 * spawning the process to its first HTTP answer. Loopback only; everything
 * stops by itself. Usage: npm run bench -- --peers [seconds] [rounds]
 *
 * The peers: bare Express is written into a scratch folder and runs on the
 * project's own express; Prism is the version the project pins for Node 20
 * (@stoplight/prism-cli in devDependencies, the one test/tools.test.ts runs),
 * in its fastest mode: static examples, no logging (`-v silent`).
 */
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TOKENS } from '../fixtures/personas.js';

const args = process.argv.slice(2).filter((a) => a !== '--peers');
const seconds = Number(args[0] ?? 6);
const rounds = Number(args[1] ?? 2);
const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const AUTH = `Zoho-oauthtoken ${TOKENS.admin}`;
const PATH = '/crm/v2/phonebridge/callreceived';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Milliseconds from `spawn` until `url` answers anything over HTTP (up to 30 s). */
async function startAndWait(command: string, argv: string[], url: string, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; ms: number }> {
  const started = performance.now();
  const child = spawn(command, argv, { cwd: root, env: { ...process.env, ...env }, stdio: 'ignore' });
  for (;;) {
    if (performance.now() - started > 30_000) {
      child.kill('SIGKILL');
      throw new Error(`${command} ${argv.join(' ')}: no answer at ${url} within 30 s`);
    }
    try {
      await fetch(url);
      return { child, ms: performance.now() - started };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

const stop = async (child: ChildProcess) => {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
  child.kill('SIGKILL');
};

interface Target {
  name: string;
  start: () => Promise<{ child: ChildProcess; base: string; ms: number }>;
}

const scratch = await mkdtemp(path.join(tmpdir(), 'pbm-peers-'));
const expressApp = path.join(scratch, 'express-bare.cjs');
await writeFile(
  expressApp,
  `const express = require(${JSON.stringify(require.resolve('express'))});
const app = express();
app.use(express.urlencoded({ extended: false }));
app.post(${JSON.stringify(PATH)}, (req, res) => res.json({ data: [] }));
app.get('/', (req, res) => res.send('ok'));
app.listen(Number(process.env.PORT), '127.0.0.1');
`,
);
const prismCli = require.resolve('@stoplight/prism-cli/dist/index.js');

const TARGETS: Target[] = [
  {
    name: 'bare Express 5',
    start: async () => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      return { ...(await startAndWait(process.execPath, [expressApp], `${base}/`, { PORT: String(port) })), base };
    },
  },
  {
    name: 'phonebridge-mock',
    start: async () => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const db = path.join(await mkdtemp(path.join(scratch, 'db-')), 'phonebridge.json');
      const started = await startAndWait(
        process.execPath,
        ['dist/server/main.js', '--port', String(port), '--db', db, '--log', 'quiet'],
        `${base}/__admin/health`,
      );
      await fetch(`${base}/crm/v2/phonebridge/integrate`, { method: 'POST', headers: { Authorization: AUTH } });
      return { ...started, base };
    },
  },
  {
    name: 'Prism mock (our document)',
    start: async () => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const argv = [prismCli, 'mock', '-h', '127.0.0.1', '-p', String(port), '-v', 'silent', 'openapi/phonebridge.yaml'];
      return { ...(await startAndWait(process.execPath, argv, `${base}/crm/v2/phonebridge/users`)), base };
    },
  },
];

interface Figures {
  rps: number[];
  p99: number[];
  ok: number;
  total: number;
  coldMs: number[];
}
const figures = new Map<string, Figures>(TARGETS.map((t) => [t.name, { rps: [], p99: [], ok: 0, total: 0, coldMs: [] }]));
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

console.log(`POST ${PATH} (form body), autocannon 50 connections, ${seconds} s per run, ${rounds} round(s), targets interleaved\n`);
for (let round = 1; round <= rounds; round++) {
  for (const target of TARGETS) {
    const { child, base, ms } = await target.start();
    const f = figures.get(target.name)!;
    f.coldMs.push(ms);
    let n = 0;
    const result = await autocannon({
      url: base,
      connections: 50,
      duration: seconds,
      requests: [
        {
          setupRequest: () => ({
            method: 'POST',
            path: PATH,
            headers: { Authorization: AUTH, 'Content-Type': 'application/x-www-form-urlencoded' },
            body: `callrefid=peers-${round}-${n++}&fromnumber=%2B18885554567&tonumber=100`,
          }),
        },
      ],
    });
    f.rps.push(result.requests.average);
    f.p99.push(result.latency.p99);
    f.ok += result['2xx'];
    f.total += result['2xx'] + result.non2xx;
    console.log(
      `  round ${round} ${target.name.padEnd(26)} ${Math.round(result.requests.average).toString().padStart(6)} req/s  p99 ${result.latency.p99} ms  2xx ${result['2xx']}/${result['2xx'] + result.non2xx}  start ${Math.round(ms)} ms`,
    );
    await stop(child);
  }
}

// Cold start of the mock the way a CI job starts it: `npm start` to the first answer.
const npmStarts: number[] = [];
for (let i = 0; i < 3; i++) {
  const port = await freePort();
  const db = path.join(await mkdtemp(path.join(scratch, 'db-')), 'phonebridge.json');
  const { child, ms } = await startAndWait(
    'npm',
    ['start', '--silent', '--', '--port', String(port), '--db', db, '--log', 'quiet'],
    `http://127.0.0.1:${port}/__admin/health`,
  );
  npmStarts.push(ms);
  await stop(child);
}

const express = figures.get('bare Express 5')!;
const mock = figures.get('phonebridge-mock')!;
const prism = figures.get('Prism mock (our document)')!;
const row = (name: string, f: Figures, extra: string) =>
  `| ${name} | ${Math.round(median(f.rps)).toLocaleString('en')} | ${Math.round(median(f.p99))} ms | ${((100 * f.ok) / Math.max(1, f.total)).toFixed(0)} % | ${Math.round(median(f.coldMs))} ms | ${extra} |`;
console.log('\n| | req/s (median) | p99 | 2xx | cold start (node entry) | ratio |');
console.log('|---|---|---|---|---|---|');
console.log(row('bare Express 5 (urlencoded, no validation)', express, '-'));
console.log(
  row(
    'phonebridge-mock',
    mock,
    `${(median(mock.rps) / median(express.rps)).toFixed(2)}x Express, ${(median(mock.rps) / median(prism.rps)).toFixed(2)}x Prism; p99 ${(median(mock.p99) / median(express.p99)).toFixed(2)}x Express's`,
  ),
);
console.log(row('Prism mock on our document', prism, `cold start: mock ${(median(mock.coldMs) / median(prism.coldMs)).toFixed(2)}x Prism's`));
console.log(`\nphonebridge-mock, npm start to first answer: ${Math.round(median(npmStarts))} ms (median of 3)`);
