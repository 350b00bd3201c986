/**
 * The consent page in a real browser: Chromium opens the authorize URL on the
 * compiled server, a user is chosen by clicking, and the browser lands on the
 * vendor's callback with a grant code that the token endpoint accepts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAUTH_CLIENTS } from '../fixtures/personas.js';
import { startServer, type RunningServer } from './process.js';
import { skipReason } from './skip-reason.js';

const CHROMIUM = process.env.PHONEBRIDGE_CHROMIUM ?? '/usr/bin/chromium';
const [MOCKPBX] = OAUTH_CLIENTS;

// CI installs Debian's chromium (.ci/run); elsewhere, say which browser is missing rather than fail.
const missing = skipReason(
  existsSync(CHROMIUM) ? undefined : `no browser at ${CHROMIUM}; apt-get install chromium, or set PHONEBRIDGE_CHROMIUM`,
  'test/consent-browser.test.ts',
);
describe.skipIf(missing)(missing ? `the consent page in Chromium (skipped: ${missing})` : `the consent page in Chromium (${CHROMIUM})`, () => {
  let browser: Browser;
  let mock: RunningServer;
  let callback: http.Server;
  let callbackUrl: string;
  const received: URL[] = [];

  beforeAll(async () => {
    callback = http.createServer((req, res) => {
      const url = new URL(req.url!, callbackUrl);
      if (url.pathname === '/zoho/callback') received.push(url); // not the browser's favicon request
      res.setHeader('Content-Type', 'text/html');
      res.end('<h1>vendor callback</h1>');
    });
    await new Promise<void>((resolve) => callback.listen(0, '127.0.0.1', resolve));
    callbackUrl = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/zoho/callback`;
    mock = await startServer({ PHONEBRIDGE_DB: ':memory:', PHONEBRIDGE_AUTO_CONSENT: '0', PHONEBRIDGE_REDIRECT_URIS: callbackUrl });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    mock?.child.kill('SIGTERM');
    callback?.close();
  });

  it('a user chosen on the consent page is redirected to the vendor with a working grant code', async () => {
    const page = await browser.newPage();
    const authorize = new URL(`${mock.base}/oauth/v2/auth`);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: MOCKPBX.clientId,
      scope: 'ZohoCRM.crmphonebridge.ALL',
      redirect_uri: callbackUrl,
      access_type: 'offline',
      state: 'browser-1',
    }))
      authorize.searchParams.set(k, v);
    await page.goto(authorize.toString());
    await expect.poll(() => page.title()).toMatch(/Authorize MockPBX/);
    expect(await page.locator('h1').innerText()).toMatch(/MockPBX would like to access your Zoho CRM/);

    const first = page.locator('button[data-userid]').first();
    const userid = await first.getAttribute('data-userid');
    await Promise.all([page.waitForURL((url) => url.toString().startsWith(callbackUrl)), first.click()]);
    expect(await page.locator('h1').innerText()).toBe('vendor callback');

    const landed = received.at(-1)!;
    expect(landed.searchParams.get('state')).toBe('browser-1');
    expect(landed.searchParams.get('accounts-server')).toBe(mock.base);
    const token = await fetch(`${mock.base}/oauth/v2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: landed.searchParams.get('code')!,
        client_id: MOCKPBX.clientId,
        client_secret: MOCKPBX.clientSecret,
        redirect_uri: callbackUrl,
      }),
    });
    const tokens = (await token.json()) as { access_token: string; api_domain: string };
    expect(tokens.api_domain).toBe(mock.base);

    const enable = await fetch(`${tokens.api_domain}/crm/v2/phonebridge/integrate`, {
      method: 'POST',
      headers: { Authorization: `Zoho-oauthtoken ${tokens.access_token}` },
    });
    expect(enable.status).toBe(200);
    expect(userid).toMatch(/^\d{19}$/);
    await page.screenshot({ path: 'test-results/consent-callback.png' }).catch(() => undefined);
  });

  it('Deny takes the browser back to the vendor with error=access_denied', async () => {
    const page = await browser.newPage();
    const authorize = new URL(`${mock.base}/oauth/v2/auth`);
    for (const [k, v] of Object.entries({
      response_type: 'code',
      client_id: MOCKPBX.clientId,
      scope: 'ZohoCRM.crmphonebridge.ALL',
      redirect_uri: callbackUrl,
      state: 'browser-2',
    }))
      authorize.searchParams.set(k, v);
    await page.goto(authorize.toString());
    await Promise.all([page.waitForURL((url) => url.toString().startsWith(callbackUrl)), page.getByRole('button', { name: 'Deny' }).click()]);
    const landed = received.at(-1)!;
    expect(Object.fromEntries(landed.searchParams)).toEqual({ error: 'access_denied', state: 'browser-2' });
  });
});
