/**
 * phonebridge-mock against the generic servers a vendor would use instead,
 * side by side on this machine: a bare Express 5 app (urlencoded, no
 * validation, one fixed answer) and Prism's mock on our own document. Each
 * answers the same validated `POST callreceived` with a form body, loaded by
 * autocannon (50 connections), the targets interleaved round by round so a
 * slow minute of a shared machine hits all of them. Cold start: from spawning
 * `node` to the first HTTP answer, once per target and round; and `npm start`
 * to the mock's first answer. Loopback only; everything stops by itself.
 * Usage: npm run bench -- --peers [seconds] [rounds]
 *
 * The peers are not the project's dependencies: they are installed once into
 * a scratch folder of their own (node_modules/.cache/phonebridge-bench/peers/,
 * one folder per pair of versions, reused while it holds them) with
 * `npm install --no-save --prefix`. Prism runs in its fastest mode: static
 * examples, no logging (`-v silent`).
 */
import autocannon from 'autocannon';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TOKENS } from '../fixtures/personas.js';
import { commitLabel, fmt, freePort, median, root, startAndWait, stop } from './common.js';

/**
 * Prism's latest release (5.16.0, 2026) declares `node >=24.18.0`, yet its mock runs on Node 20 for this
 * benchmark (it answers every request 2xx); npm only warns. Express: the latest 5.x.
 */
const PRISM = '5.16.0';
const EXPRESS = '5';

const args = process.argv.slice(2).filter((a) => a !== '--peers');
const seconds = Number(args[0] ?? 6);
const rounds = Number(args[1] ?? 2);
const AUTH = `Zoho-oauthtoken ${TOKENS.admin}`;
const PATH = '/crm/v2/phonebridge/callreceived';

/** Installs the peers into their own folder unless an earlier run did with the same versions; answers the folder. */
function installPeers(): string {
  const dir = path.join(root, 'node_modules', '.cache', 'phonebridge-bench', 'peers', `prism-${PRISM}-express-${EXPRESS}`);
  const marker = path.join(dir, 'installed.json');
  const wanted = JSON.stringify({ prism: PRISM, express: EXPRESS });
  const present = ['@stoplight/prism-cli', 'express'].every((name) => existsSync(path.join(dir, 'node_modules', name, 'package.json')));
  if (present && existsSync(marker) && readFileSync(marker, 'utf8') === wanted) return dir;
  mkdirSync(dir, { recursive: true });
  console.log(`installing the peers into ${path.relative(root, dir)} (once per version) ...`);
  const argv = ['install', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', '--prefix', dir, `@stoplight/prism-cli@${PRISM}`, `express@${EXPRESS}`];
  // Scarf is Prism's install-time analytics.
  execFileSync('npm', argv, { cwd: root, stdio: 'inherit', env: { ...process.env, SCARF_ANALYTICS: 'false' } });
  writeFileSync(marker, wanted);
  return dir;
}

const peers = installPeers();
const installed = (name: string) =>
  JSON.parse(readFileSync(path.join(peers, 'node_modules', name, 'package.json'), 'utf8')) as { version: string; engines?: { node?: string } };
const prismPackage = installed('@stoplight/prism-cli');
const versions = {
  prism: prismPackage.version,
  prismHttp: installed('@stoplight/prism-http').version,
  express: installed('express').version,
  mock: (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version,
};

const expressApp = path.join(peers, 'express-bare.cjs');
await writeFile(
  expressApp,
  `const express = require('express');
const app = express();
app.use(express.urlencoded({ extended: false }));
app.post(${JSON.stringify(PATH)}, (req, res) => res.json({ data: [] }));
app.get('/', (req, res) => res.send('ok'));
app.listen(Number(process.env.PORT), '127.0.0.1');
`,
);
const prismCli = path.join(peers, 'node_modules', '@stoplight', 'prism-cli', 'dist', 'index.js');
const scratch = await mkdtemp(path.join(tmpdir(), 'pbm-peers-'));

interface Target {
  name: string;
  start: () => Promise<{ child: ChildProcess; base: string; ms: number }>;
}

const EXPRESS_NAME = `bare Express ${versions.express}`;
const MOCK_NAME = `phonebridge-mock ${versions.mock}`;
const PRISM_NAME = `Prism ${versions.prism} mock`;
const TARGETS: Target[] = [
  {
    name: EXPRESS_NAME,
    start: async () => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      return { ...(await startAndWait(process.execPath, [expressApp], `${base}/`, { PORT: String(port) })), base };
    },
  },
  {
    name: MOCK_NAME,
    start: async () => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const db = path.join(await mkdtemp(path.join(scratch, 'db-')), 'phonebridge.json');
      const started = await startAndWait(
        process.execPath,
        ['dist/bundle/main.mjs', '--port', String(port), '--db', db, '--log', 'quiet'],
        `${base}/__admin/health`,
      );
      await fetch(`${base}/crm/v2/phonebridge/integrate`, { method: 'POST', headers: { Authorization: AUTH } });
      return { ...started, base };
    },
  },
  {
    name: PRISM_NAME,
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

const commit = commitLabel();
const prismEngines = prismPackage.engines?.node;
console.log(
  `commit ${commit}, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}; peers: Express ${versions.express}, Prism ${versions.prism} (prism-http ${versions.prismHttp}${prismEngines ? `, declares node ${prismEngines}` : ''})`,
);
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
      `  round ${round} ${target.name.padEnd(26)} ${fmt(result.requests.average).padStart(6)} req/s  p99 ${result.latency.p99} ms  2xx ${result['2xx']}/${result['2xx'] + result.non2xx}  start ${Math.round(ms)} ms`,
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
    {},
    true,
  );
  npmStarts.push(ms);
  await stop(child);
}

const express = figures.get(EXPRESS_NAME)!;
const mock = figures.get(MOCK_NAME)!;
const prism = figures.get(PRISM_NAME)!;
const ratio = (a: number[], b: number[]) => median(a) / median(b);
const check = (value: number, goal: string, met: boolean) => `${value.toFixed(2)}x (goal ${goal}: ${met ? 'met' : 'not met'})`;
const rpsExpress = ratio(mock.rps, express.rps);
const rpsPrism = ratio(mock.rps, prism.rps);
const p99Express = ratio(mock.p99, express.p99);
const coldPrism = ratio(mock.coldMs, prism.coldMs);
const npmPrism = median(npmStarts) / median(prism.coldMs);
const row = (name: string, f: Figures, extra: string) =>
  `| ${name} | ${fmt(median(f.rps))} | ${Math.round(median(f.p99))} ms | ${((100 * f.ok) / Math.max(1, f.total)).toFixed(0)} % | ${fmt(median(f.coldMs))} ms | ${extra} |`;

console.log(`\ncommit ${commit}, \`npm run bench -- --peers ${seconds} ${rounds}\`, Node ${process.version}:\n`);
console.log(`| | req/s (median of ${rounds}) | p99 (median) | 2xx | cold start (node entry to first answer, median) | mock's ratio to it |`);
console.log('|---|---|---|---|---|---|');
console.log(
  row(
    `bare Express ${versions.express} (urlencoded, no validation)`,
    express,
    `req/s ${check(rpsExpress, '≥ 0.75x', rpsExpress >= 0.75)}; p99 ${check(p99Express, '≤ 1.5x', p99Express <= 1.5)}`,
  ),
);
console.log(row(`phonebridge-mock ${versions.mock} (this commit)`, mock, `\`npm start\` to first answer: ${fmt(median(npmStarts))} ms (median of 3)`));
console.log(
  row(
    `Prism ${versions.prism} mock on our document`,
    prism,
    `req/s ${check(rpsPrism, '≥ 1.5x', rpsPrism >= 1.5)}; cold start: node entry ${check(coldPrism, '≤ 0.5x', coldPrism <= 0.5)}, \`npm start\` ${check(npmPrism, '≤ 0.5x', npmPrism <= 0.5)}`,
  ),
);
