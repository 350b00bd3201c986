/**
 * Storage under load (loopback only; stops by itself). Usage: npm run bench:storage [-- seconds]
 *
 * 1. Write throughput of the same validated call event in both durability
 *    modes (acknowledged: answered once on disk; relaxed: saved behind), 50 connections.
 * 2. Fresh vs at the retention limit: several busy orgs (the default tenant and
 *    two more, each org at PHONEBRIDGE_MAX_CALLS calls): write p99 at 50
 *    connections, and the latency of a lone write (one connection: the time of
 *    the save it waits for), and the start-up time of a server on those files.
 */
import autocannon from 'autocannon';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TOKENS } from '../fixtures/personas.js';
import { startServer, type RunningServer } from '../test/process.js';

const seconds = Number(process.argv[2] ?? 6);
const MAX_CALLS = 10_000;
const FORM = 'application/x-www-form-urlencoded';

async function start(db: string, env: Record<string, string> = {}): Promise<{ server: RunningServer; ms: number }> {
  const started = performance.now();
  const server = await startServer({ PHONEBRIDGE_DB: db, PHONEBRIDGE_LOG: 'quiet', PHONEBRIDGE_MAX_CALLS: String(MAX_CALLS), ...env });
  const ms = performance.now() - started;
  return { server, ms };
}

async function stop(server: RunningServer) {
  server.child.kill('SIGTERM');
  await server.exited;
}

let n = 0;
const hungup = (token: string) => () => ({
  method: 'POST' as const,
  path: '/crm/v2/phonebridge/callhungup',
  headers: { Authorization: `Zoho-oauthtoken ${token}`, 'Content-Type': FORM },
  body: `callrefid=b-${n++}&fromnumber=%2B18885554567&tonumber=100&callstarttime=2026-11-26%2010%3A00%3A00&duration=0&direction=inbound`,
});

async function load(base: string, token: string, connections: number, duration = seconds) {
  const result = await autocannon({ url: base, connections, duration, requests: [{ setupRequest: hungup(token) }] });
  return { rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, errors: result.non2xx + result.errors };
}

/** Enables the integration and reports `count` calls in each given token's org (at 50 connections). */
async function fill(base: string, tokens: string[], count: number) {
  for (const token of tokens) {
    await fetch(`${base}/crm/v2/phonebridge/integrate`, { method: 'POST', headers: { Authorization: `Zoho-oauthtoken ${token}` } });
    if (count > 0) await autocannon({ url: base, connections: 50, amount: count, requests: [{ setupRequest: hungup(token) }] });
  }
}

const folder = async () => path.join(await mkdtemp(path.join(tmpdir(), 'pbm-bench-storage-')), 'phonebridge.json');
const mb = async (db: string) => {
  const dir = path.dirname(db);
  const sizes = await Promise.all((await readdir(dir)).map(async (name) => (await stat(path.join(dir, name))).size));
  return (sizes.reduce((a, b) => a + b, 0) / 1e6).toFixed(1);
};

console.log(`durability, ${seconds} s each, 50 connections, POST callhungup (a new call each time):`);
const modes: Record<string, number> = {};
for (const durability of ['relaxed', 'acknowledged']) {
  const db = await folder();
  const { server } = await start(db, { PHONEBRIDGE_DURABILITY: durability });
  await fill(server.base, [TOKENS.admin], 0);
  const r = await load(server.base, TOKENS.admin, 50);
  modes[durability] = r.rps;
  console.log(`  ${durability.padEnd(12)} ${String(r.rps).padStart(6)} req/s  p99 ${r.p99} ms  (${r.errors} non-2xx/errors)`);
  await stop(server);
}
console.log(`  acknowledged / relaxed: ${(modes.acknowledged! / modes.relaxed!).toFixed(2)}`);

console.log(`\nfresh vs at the retention limit (${MAX_CALLS.toLocaleString()} calls in each of 3 orgs of 3 tenants), acknowledged:`);
const db = await folder();
let { server, ms } = await start(db);
const fresh = { start: ms, lone: await load(server.base, TOKENS.admin, 1, 3), busy: { p99: 0, rps: 0 } };
const busyFresh = await load(server.base, TOKENS.admin, 50);
fresh.busy = busyFresh;
const tenants = await Promise.all(
  [1, 2].map(async () => ((await (await fetch(`${server.base}/__admin/tenants`, { method: 'POST' })).json()) as { tokens: { admin: string } }).tokens.admin),
);
await fill(server.base, [TOKENS.admin, ...tenants], MAX_CALLS + 500);
await stop(server);
({ server, ms } = await start(db));
const full = { start: ms, lone: await load(server.base, TOKENS.admin, 1, 3), busy: await load(server.base, TOKENS.admin, 50) };
console.log(`  files ${await mb(db)} MB`);
console.log(`  start-up (spawn to banner): fresh ${Math.round(fresh.start)} ms, at the limit ${Math.round(full.start)} ms`);
console.log(`  lone write (1 connection, ~ one save): p50 ${fresh.lone.p50} / ${full.lone.p50} ms, p99 ${fresh.lone.p99} / ${full.lone.p99} ms`);
console.log(
  `  50 connections: ${fresh.busy.rps} / ${full.busy.rps} req/s, p99 ${fresh.busy.p99} / ${full.busy.p99} ms (at limit / fresh: ${(full.busy.p99 / fresh.busy.p99).toFixed(2)}x)`,
);
await stop(server);
