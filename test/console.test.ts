/**
 * The web console in Debian's Chromium against a real mock on a free port and
 * a real loopback receiver playing the vendor's PBX: the vendor's requests
 * arrive over HTTP, the CRM user's presses go out to the receiver, and every
 * view passes axe-core at desktop and phone width. Screenshots of each view go
 * to test-results/console/ (kept after the run; CI keeps the folder).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS } from '../fixtures/personas.js';
import { packageDir } from '../server/openapi/documents.js';
import { startMock, type RunningMock } from '../server/index.js';
import { startReceiver } from './receiver.js';
import { skipReason } from './skip-reason.js';

const CHROMIUM = process.env.PHONEBRIDGE_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = path.join(packageDir(), 'test-results', 'console');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;
const BASE = '/crm/v2/phonebridge';
/** Jane Smith, a Contact of the Account Smith Logistics, with two Potentials, in the default data (README). */
const KNOWN_CALLER = '0018885554567';
const NIKITA = '3235140000000152001';

const missing = skipReason(
  existsSync(CHROMIUM) ? undefined : `no browser at ${CHROMIUM}; apt-get install chromium, or set PHONEBRIDGE_CHROMIUM`,
  'test/console.test.ts',
);

describe.skipIf(missing)(missing ? `the web console in Chromium (skipped: ${missing})` : `the web console in Chromium (${CHROMIUM})`, () => {
  let browser: Browser;
  let mock: RunningMock;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let page: Page;

  /** A vendor's request, form-encoded, with the licensed org admin's token (or the headers given). */
  const vendor = async (operation: string, fields: Record<string, string>, headers: Record<string, string> = {}) => {
    const res = await fetch(`${mock.url}${BASE}/${operation}`, {
      method: 'POST',
      headers: { Authorization: `Zoho-oauthtoken ${TOKENS.admin}`, 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  /** axe-core's serious and critical violations on the page as it is, as readable lines. */
  const seriousViolations = async (page: Page): Promise<string[]> => {
    // Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern.
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
    const results = await page.evaluate(() => {
      const axe = (
        window as unknown as {
          axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> };
        }
      ).axe;
      return axe.run(document, { resultTypes: ['violations'] }); // passes and incomplete results are not needed: faster
    });
    return results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  };

  /** At both sizes: no serious or critical axe violation, and a screenshot. */
  const checkView = async (name: string, on: Page = page) => {
    for (const [size, viewport] of Object.entries(SIZES)) {
      await on.setViewportSize(viewport);
      expect(await seriousViolations(on), `${name} at ${size}`).toEqual([]);
      await on.screenshot({ path: path.join(SHOTS, `${name}-${size}.png`), fullPage: true });
    }
    await on.setViewportSize(SIZES.desktop);
  };

  const column = (title: string) => page.getByRole('list', { name: `${title} calls` });
  const card = (title: string, callrefid: string) => column(title).getByRole('listitem', { name: `Call ${callrefid}` });
  const received = (pathname: string) => receiver.received.filter((r) => r.path === pathname);
  const until = async (check: () => boolean, what: string) => {
    for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(check(), what).toBe(true);
  };

  beforeAll(async () => {
    if (!existsSync(path.join(packageDir(), 'dist', 'console', 'index.html'))) throw new Error('the console is not built: npm run compile');
    mkdirSync(SHOTS, { recursive: true });
    receiver = await startReceiver();
    mock = await startMock();
    expect((await vendor('integrate', {})).status).toBe(200);
    // Every call-control URL but mute and unmute: those buttons must say why they cannot be pressed.
    const urls = Object.fromEntries(['answer', 'hungup', 'hold', 'unhold', 'keypress'].map((a) => [`${a}url`, `${receiver.base}/zoho/${a}`]));
    const registered = await vendor('clicktocallandcallcontrol', {
      clicktocallurl: `${receiver.base}/zoho/clicktocall`,
      ...urls,
      authorizationparam: '{name:Authorization,value:vendor-secret}',
      clicktocallparam: '[{name:pbxuserid,value:pbx-42}]',
      callcontrolparam: '[{name:tenant,value:acme}]',
    });
    expect(registered.status).toBe(200);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: SIZES.desktop });
    await page.goto(`${mock.url}/`);
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await mock?.stop();
    await receiver?.close();
  });

  it('`/` opens the console, served with headers that keep other sites from framing or scripting it', async () => {
    expect(page.url()).toBe(`${mock.url}/__admin/console/`);
    const res = await fetch(`${mock.url}/__admin/console/`);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    await expect(page.getByRole('combobox', { name: 'Tenant' }).inputValue()).resolves.toBe('default');
  });

  it('a callreceived makes a ringing call with its screen pop appear within a second; answered and hung up, it moves across the board', async () => {
    const sent = Date.now();
    expect((await vendor('callreceived', { callrefid: 'call-1', fromnumber: KNOWN_CALLER, tonumber: '0018885556748' })).status).toBe(200);
    const ringing = card('Ringing', 'call-1');
    await ringing.waitFor({ timeout: 1000 });
    expect(Date.now() - sent).toBeLessThan(1000);
    const pop = ringing.getByRole('group', { name: `Screen pop for ${KNOWN_CALLER}` });
    // The number is Jane Smith's, a Contact of the Account Smith Logistics, with its two Potentials.
    await expect(pop.textContent()).resolves.toMatch(
      /^Jane Smith Contacts\s*Phone\s*0018885554567\s*Account\s*Smith Logistics\s*Potentials\s*Smith Logistics - fleet phones/,
    );

    await vendor('callreceived', { callrefid: 'call-unknown', fromnumber: '0019995550123', tonumber: '0018885556748' });
    await card('Ringing', 'call-unknown').getByText('Unknown caller').waitFor({ timeout: 1000 });
    // A call reported through PhoneBridge v3 is a call like any other, with its screen pop and its version.
    const v3 = await fetch(`${mock.url}/phonebridge/v3/callnotify`, {
      method: 'POST',
      headers: { Authorization: `Zoho-oauthtoken ${TOKENS.admin}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ type: 'received', state: 'ringing', id: 'call-v3', from: '+18885554567', to: '100' }),
    });
    expect(v3.status).toBe(200);
    const v3Card = card('Ringing', 'call-v3');
    await v3Card.getByRole('group', { name: 'Screen pop for +18885554567' }).getByText('Jane Smith').waitFor({ timeout: 1000 });
    await expect(v3Card.getByText('v3', { exact: true }).count()).resolves.toBe(1);
    await checkView('calls');

    // The CRM user presses Answer: the vendor gets the request; the vendor then reports the answer.
    await ringing.getByRole('button', { name: 'Answer', exact: true }).click();
    await until(() => received('/zoho/answer').length === 1, 'the receiver got the answer request');
    expect(received('/zoho/answer')[0]!.fields).toMatchObject({ callrefid: 'call-1', tenant: 'acme' });
    // The console shows the vendor's answer once the mock's own answer reaches it (just after the receiver's).
    await ringing.getByRole('status').filter({ hasText: 'the vendor answered 200 ok' }).waitFor({ timeout: 2000 });
    expect((await vendor('callanswered', { callrefid: 'call-1', fromnumber: KNOWN_CALLER, tonumber: '0018885556748' })).status).toBe(200);
    await card('Answered', 'call-1').waitFor({ timeout: 1000 });
    expect(await card('Ringing', 'call-1').count()).toBe(0);
  });

  it('Hold sends the hold request with the registered parameters and authorization, then Unhold is offered; Mute, with no URL registered, is disabled and says why', async () => {
    const answered = card('Answered', 'call-1');
    const mute = answered.getByRole('button', { name: 'Mute', exact: true });
    expect(await mute.isDisabled()).toBe(true);
    const why = await mute.getAttribute('aria-describedby');
    await expect(page.locator(`[id="${why}"]`).textContent()).resolves.toBe('Mute: the vendor registered no muteurl');

    await answered.getByRole('button', { name: 'Hold', exact: true }).click();
    await until(() => received('/zoho/hold').length === 1, 'the receiver got the hold request');
    const hold = received('/zoho/hold')[0]!;
    expect(hold.fields).toEqual({ callrefid: 'call-1', tenant: 'acme', Authorization: 'vendor-secret' });
    expect(hold.headers.authorization).toBe('vendor-secret');
    const held = card('On hold', 'call-1');
    await held.waitFor({ timeout: 1000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(SHOTS, 'board-desktop.png') }); // the README's picture (docs/console.png)
    expect(await held.getByRole('button', { name: 'Hold', exact: true }).count()).toBe(0);

    // With the keyboard alone: focus Unhold and press Enter.
    const unhold = held.getByRole('button', { name: 'Unhold', exact: true });
    expect(await unhold.isEnabled()).toBe(true);
    await unhold.focus();
    await page.keyboard.press('Enter');
    await until(() => received('/zoho/unhold').length === 1, 'the receiver got the unhold request');
    await card('Answered', 'call-1').waitFor({ timeout: 1000 });

    const started = new Date(Date.now() - 42_000).toISOString().slice(0, 19).replace('T', ' ');
    const hungUp = { callrefid: 'call-1', fromnumber: KNOWN_CALLER, tonumber: '0018885556748', callstarttime: started, duration: '42', direction: 'inbound' };
    expect((await vendor('callhungup', hungUp)).status).toBe(200);
    expect((await vendor('voiceurl', { callrefid: 'call-1', voiceurl: 'https://pbx.example.com/rec/call-1.mp3' })).status).toBe(200);
    const ended = card('Ended', 'call-1');
    await ended.waitFor({ timeout: 1000 });
    expect(await ended.getByRole('button').count()).toBe(0);
  });

  it('Call on a record makes the receiver get the click-to-call request', async () => {
    await page.getByRole('link', { name: 'Click to call' }).click();
    await page.getByRole('searchbox', { name: 'Search records by name or number' }).fill('Smith Logistics');
    await page.getByRole('button', { name: 'Call Smith Logistics' }).click();
    await until(() => received('/zoho/clicktocall').length === 1, 'the receiver got the click-to-call request');
    const listed = (await (await fetch(`${mock.url}/__admin/records?search=Smith%20Logistics`)).json()) as { records: { phone: string }[] };
    expect(received('/zoho/clicktocall')[0]!.fields).toMatchObject({
      tonumber: listed.records[0]!.phone,
      userid: NIKITA,
      pbxuserid: 'pbx-42',
      Authorization: 'vendor-secret',
    });
    await page.getByRole('status').filter({ hasText: 'Call Smith Logistics' }).filter({ hasText: 'the vendor answered 200 ok' }).waitFor({ timeout: 2000 });

    await page.getByRole('textbox', { name: 'Number' }).fill('0018885550000');
    await page.keyboard.press('Enter');
    await until(() => received('/zoho/clicktocall').length === 2, 'the receiver got the typed number');
    expect(received('/zoho/clicktocall')[1]!.fields.tonumber).toBe('0018885550000');
    await checkView('click-to-call');
  });

  it('the journal shows a request with a Bearer token and its hint, and the request as received', async () => {
    await vendor('callreceived', { callrefid: 'call-bearer', fromnumber: '0018885550001', tonumber: '100' }, { Authorization: `Bearer ${TOKENS.admin}` });
    await page.getByRole('link', { name: 'Journal' }).click();
    const requests = page.getByRole('region', { name: 'Requests' });
    const row = requests.getByRole('row').filter({ hasText: 'Bearer scheme' });
    await row.first().waitFor({ timeout: 1000 });
    const rows = requests.locator('tbody tr');
    const all = await rows.count();
    await page.getByRole('checkbox', { name: 'Only with hints or warnings' }).check();
    const flagged = await rows.count();
    expect(flagged).toBeGreaterThan(0);
    expect(flagged).toBeLessThan(all);
    expect(await requests.locator('tbody tr:has(.hint)').count()).toBe(flagged);
    await checkView('journal');
    await row.first().getByRole('link').click();
    await page.getByRole('heading', { name: /^Request \d+$/ }).waitFor();
    await expect(page.getByText('bearer-scheme').count()).resolves.toBe(1);
    await expect(page.getByLabel('Request headers').textContent()).resolves.toContain('Bearer');
    await checkView('request');
  });

  it('the outbox lists every delivery with the vendor answer, and sends one again; the integration, call and controls views show the rest', async () => {
    await page.getByRole('link', { name: 'Outbox' }).click();
    const deliveries = page.getByRole('region', { name: 'Deliveries' });
    await deliveries.getByRole('row').nth(5).waitFor(); // header + answer, hold, unhold, 2 click-to-calls
    const before = received('/zoho/hold').length;
    const holdRow = deliveries.getByRole('row').filter({ hasText: 'hold call-1' }).filter({ hasNotText: 'unhold' });
    await holdRow.getByRole('button', { name: /^Resend delivery/ }).click();
    await until(() => received('/zoho/hold').length === before + 1, 'the receiver got the hold request again');
    await checkView('outbox');

    await page.getByRole('link', { name: 'Integration' }).click();
    // The outbox lists the same URL (its click-to-call deliveries): looked for in the integration view only, once it shows.
    const integration = page.getByRole('region', { name: 'Integration' });
    await integration.getByText(`${receiver.base}/zoho/clicktocall`).waitFor();
    await expect(page.getByText(`holdurl: ${receiver.base}/zoho/hold`).count()).resolves.toBe(1);
    await checkView('integration');

    await page.goto(`${mock.url}/__admin/console/#/calls/700000101/call-1`);
    await page.getByRole('heading', { name: 'Call call-1' }).waitFor();
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await expect(timeline.getByRole('row').count()).resolves.toBe(4); // header, received, answered, hungup
    await expect(page.getByRole('link', { name: 'https://pbx.example.com/rec/call-1.mp3' }).count()).resolves.toBe(1);
    await expect(page.getByLabel('Activity').textContent()).resolves.toContain('"durationSeconds": 42');
    await checkView('call');

    await page.getByRole('link', { name: 'Controls' }).click();
    await page.getByRole('button', { name: 'Reset tenant' }).waitFor();
    await checkView('controls');
    await page.getByRole('button', { name: 'Reset tenant' }).click();
    await page.getByRole('button', { name: 'Confirm reset' }).click();
    await page.getByRole('status').filter({ hasText: 'Reset: done' }).waitFor();
    await page.getByRole('link', { name: 'Calls' }).click();
    await page.getByText('No calls yet').waitFor();
  });

  it('with an admin token, the console asks for it (or takes it from the address the banner prints) and another site cannot drive it', async () => {
    const guarded = await startMock({ crmSize: 5, env: { PHONEBRIDGE_ADMIN_TOKEN: 'console-secret' } });
    try {
      const other = await browser.newPage();
      await other.goto(`${guarded.url}/__admin/console/`);
      await other.getByLabel('Admin token').waitFor();
      await checkView('sign-in', other);
      await other.getByLabel('Admin token').fill('wrong');
      await other.getByRole('button', { name: 'Sign in' }).click();
      await other.getByLabel('Admin token').waitFor(); // still asked
      await other.getByLabel('Admin token').fill('console-secret');
      await other.getByRole('button', { name: 'Sign in' }).click();
      await other.getByRole('heading', { name: 'Live calls' }).waitFor();
      await other.close();

      const linked = await browser.newPage();
      await linked.goto(`${guarded.url}/__admin/console/#token=console-secret`);
      await linked.getByRole('heading', { name: 'Live calls' }).waitFor();
      expect(linked.url()).not.toContain('console-secret');
      await linked.close();

      // A page of another origin (the receiver's) makes the mock dial: refused (403 CROSS_SITE_REQUEST), nothing sent.
      await fetch(`${mock.url}/__admin/reset`, { method: 'POST' });
      expect((await vendor('integrate', {})).status).toBe(200);
      expect((await vendor('clicktocallandcallcontrol', { clicktocallurl: `${receiver.base}/zoho/clicktocall` })).status).toBe(200);
      const before = received('/zoho/clicktocall').length;
      const foreign = await browser.newPage();
      await foreign.goto(`${receiver.base}/elsewhere`);
      const type = await foreign.evaluate(
        async ([url, userid]) =>
          (
            await fetch(`${url}/__admin/click-to-call`, {
              method: 'POST',
              mode: 'no-cors',
              body: new URLSearchParams({ userid: userid!, tonumber: '0018885550000' }),
            })
          ).type,
        [mock.url, NIKITA],
      );
      expect(type).toBe('opaque');
      await foreign.close();
      expect(received('/zoho/clicktocall').length).toBe(before);
      // The same request from the console's own origin goes through.
      const own = await browser.newPage();
      await own.goto(`${mock.url}/__admin/console/`);
      const ownStatus = await own.evaluate(
        async ([url, userid]) =>
          (await fetch(`${url}/__admin/click-to-call`, { method: 'POST', body: new URLSearchParams({ userid: userid!, tonumber: '0018885550000' }) })).status,
        [mock.url, NIKITA],
      );
      expect(ownStatus).toBe(200);
      expect(received('/zoho/clicktocall').length).toBe(before + 1);
      await own.close();
    } finally {
      await guarded.stop();
    }
  });
});
