/**
 * Throughput of the compiled server as the CRM grows: the same validated,
 * database-writing request (callhungup with a new callrefid each time) and a
 * read (callreceived screen pop) against a small and a large database file.
 * Loopback only; each run stops by itself. Usage: npm run bench [-- seconds]
 */
import autocannon from 'autocannon';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TOKENS } from '../fixtures/personas.js';
import { startServer } from '../test/process.js';

// `npm run bench -- --peers [seconds] [rounds]`: against bare Express and Prism instead (bench/peers.ts).
if (process.argv.includes('--peers')) {
  await import('./peers.js');
  process.exit(0);
}

const seconds = Number(process.argv[2] ?? 8);
const AUTH = `Zoho-oauthtoken ${TOKENS.admin}`;
const SIZES = [{ crmSize: 250 }, { crmSize: 7500 }];

function recordsFor(crmSize: number): number {
  // Per org: Leads + Contacts + Potentials = 3 x size, Accounts = size / 3; four orgs.
  return 4 * (3 * crmSize + Math.ceil(crmSize / 3));
}

async function load(base: string, title: string, request: () => autocannon.Request) {
  const result = await autocannon({
    url: base,
    connections: 50,
    duration: seconds,
    requests: [{ setupRequest: request }],
  });
  const ok = result['2xx'];
  console.log(
    `  ${title.padEnd(34)} ${Math.round(result.requests.average).toString().padStart(6)} req/s  p99 ${result.latency.p99} ms  (${ok} ok, ${result.non2xx} non-2xx, ${result.errors} errors)`,
  );
  return result.requests.average;
}

const figures: Record<string, number[]> = { write: [], read: [] };
for (const { crmSize } of SIZES) {
  const dir = await mkdtemp(path.join(tmpdir(), 'pbm-bench-'));
  const db = path.join(dir, 'phonebridge.json');
  const started = performance.now();
  const server = await startServer({ PHONEBRIDGE_DB: db, PHONEBRIDGE_CRM_SIZE: String(crmSize) });
  /** MB of the database's files of one kind (`crm`, `org`, `tenant`). */
  const mb = async (kind: string) => {
    const names = (await readdir(dir)).filter((name) => name.startsWith(`phonebridge.${kind}.`));
    const sizes = await Promise.all(names.map(async (name) => (await stat(path.join(dir, name))).size));
    return (sizes.reduce((a, b) => a + b, 0) / 1e6).toFixed(1);
  };
  console.log(
    `\n~${recordsFor(crmSize).toLocaleString()} CRM records (PHONEBRIDGE_CRM_SIZE=${crmSize}), CRM files ${await mb('crm')} MB, org files ${await mb('org')} MB, first start ${Math.round(performance.now() - started)} ms`,
  );
  await fetch(`${server.base}/crm/v2/phonebridge/integrate`, { method: 'POST', headers: { Authorization: AUTH } });
  let n = 0;
  const headers = { Authorization: AUTH, 'Content-Type': 'application/x-www-form-urlencoded' };
  figures.write!.push(
    await load(server.base, 'POST callhungup (new call, write)', () => ({
      method: 'POST',
      path: '/crm/v2/phonebridge/callhungup',
      headers,
      body: `callrefid=bench-${n++}&fromnumber=%2B18885554567&tonumber=100&callstarttime=2026-11-26%2010%3A00%3A00&duration=30&direction=inbound`,
    })),
  );
  figures.read!.push(
    await load(server.base, 'GET callerdetails (screen pop read)', () => ({
      method: 'GET',
      path: '/crm/v2/phonebridge/callerdetails?phonenumber=%2B18885554567',
      headers: { Authorization: AUTH },
    })),
  );
  server.child.kill('SIGTERM');
  await server.exited;
}

console.log('\nlarge / small throughput ratio (1.0 = flat per-request cost):');
for (const [name, [small, large]] of Object.entries(figures)) console.log(`  ${name.padEnd(6)} ${(large! / small!).toFixed(2)}`);
