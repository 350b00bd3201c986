import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS } from '../fixtures/personas.js';
import { CONTRACT, MAIN, runNode, startServer, type RunningServer } from './process.js';
import { callbackValidator, closedPortUrl, startReceiver } from './receiver.js';

const admin = { Authorization: `Zoho-oauthtoken ${TOKENS.admin}` };

const mockCli = (args: string[]) => runNode(MAIN, args);
const contractCli = (args: string[]) => runNode(CONTRACT, args);

describe('phonebridge-mock click-to-call | call-control | outbox', () => {
  let mock: RunningServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let adminId: string;

  beforeAll(async () => {
    mock = await startServer({ PHONEBRIDGE_DB: ':memory:' });
    receiver = await startReceiver();
    const pb = (p: string, body?: Record<string, string>) =>
      fetch(`${mock.base}/crm/v2/phonebridge${p}`, {
        method: body ? 'POST' : 'GET',
        headers: { ...admin, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: body && new URLSearchParams(body),
      });
    expect((await fetch(`${mock.base}/crm/v2/phonebridge/integrate`, { method: 'POST', headers: admin })).status).toBe(200);
    expect((await pb('/clicktocallandcallcontrol', { clicktocallurl: `${receiver.base}/c2c`, answerurl: `${receiver.base}/answer` })).status).toBe(200);
    adminId = ((await (await pb('/users')).json()) as { users: { userid: string }[] }).users[0]!.userid;
    expect((await pb('/callreceived', { callrefid: 'cli-1', fromnumber: '0018885554567', tonumber: '100', userid: adminId })).status).toBe(200);
  });
  afterAll(async () => {
    mock.child.kill('SIGTERM');
    await receiver.close();
  });

  it('click-to-call sends the request and prints the delivery', async () => {
    const { code, stdout } = await mockCli(['click-to-call', '--url', mock.base, '--user', adminId, '--to', '+18885554567']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ kind: 'clicktocall', delivered: true });
    expect(receiver.received.at(-1)!.fields).toMatchObject({ tonumber: '+18885554567', userid: adminId });
  });

  it('call-control answers a ringing call', async () => {
    const { code, stdout } = await mockCli(['call-control', '--url', mock.base, '--call', 'cli-1', '--action', 'answer']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ kind: 'answer', callrefid: 'cli-1', delivered: true });
  });

  it('a refused action exits 1 and prints the reason', async () => {
    const { code, stdout } = await mockCli(['call-control', '--url', mock.base, '--call', 'cli-1', '--action', 'hold']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ code: 'NO_URL_FOR_ACTION' });
  });

  it('outbox lists the deliveries; --clear empties it', async () => {
    const listed = JSON.parse((await mockCli(['outbox', '--url', mock.base])).stdout) as { deliveries: unknown[] };
    expect(listed.deliveries.length).toBeGreaterThanOrEqual(2);
    await mockCli(['outbox', '--url', mock.base, '--clear']);
    expect(JSON.parse((await mockCli(['outbox', '--url', mock.base])).stdout)).toEqual({ deliveries: [] });
  });

  it('with no mock running: exit 2 and a clear message', async () => {
    const { code, stderr } = await mockCli(['outbox', '--url', await closedPortUrl()]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/no mock answers at/);
  });
});

describe('phonebridge-contract vendor: a vendor checks its receiver without Zoho', () => {
  it('sends the documented requests and passes when each answers 2xx', async () => {
    const receiver = await startReceiver();
    const validate = await callbackValidator();
    try {
      const { code, stdout } = await contractCli([
        'vendor',
        '--clicktocallurl',
        `${receiver.base}/c2c`,
        '--answerurl',
        `${receiver.base}/answer`,
        '--keypressurl',
        `${receiver.base}/key`,
        '--authorization',
        'Authorization=secret',
        '--param',
        'tenant=acme',
      ]);
      expect(stdout).toMatch(/^✓ clickToCall +POST .*\/c2c +HTTP 200/m);
      expect(stdout).toMatch(/^3 passed, 0 failed$/m);
      expect(code).toBe(0);
      const byPath = Object.fromEntries(receiver.received.map((r) => [r.path, r]));
      expect(validate('clickToCall', byPath['/c2c']!.fields)).toEqual([]);
      expect(validate('keypress', byPath['/key']!.fields)).toEqual([]);
      expect(byPath['/c2c']!.fields).toMatchObject({ tenant: 'acme', Authorization: 'secret' });
      expect(byPath['/answer']!.headers.authorization).toBe('secret');
    } finally {
      await receiver.close();
    }
  });

  it('fails, naming the URL, when one answers 500, one is slow and one is down', async () => {
    const receiver = await startReceiver((r) =>
      r.path === '/answer' ? { status: 500 } : r.path === '/hold' ? { status: 200, delayMs: 2500 } : { status: 200 },
    );
    try {
      const { code, stdout } = await contractCli([
        'vendor',
        '--clicktocallurl',
        `${receiver.base}/c2c`,
        '--answerurl',
        `${receiver.base}/answer`,
        '--holdurl',
        `${receiver.base}/hold`,
        '--muteurl',
        `${await closedPortUrl()}/mute`,
        // 1 s, not less: on a loaded 2-core CI machine the prompt answers must still come in time.
        '--timeout',
        '1000',
      ]);
      expect(code).toBe(1);
      expect(stdout).toMatch(/^✗ answer .*HTTP 500/m);
      expect(stdout).toMatch(/^✗ hold .*no answer within 1000 ms/m);
      expect(stdout).toMatch(/^✗ mute .*ECONNREFUSED/m);
      expect(stdout).toMatch(/^1 passed, 3 failed$/m);
    } finally {
      await receiver.close();
    }
  });
});
