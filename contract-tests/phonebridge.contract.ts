/**
 * The PhoneBridge contract suite. Black-box: it knows a base URL, tokens and
 * openapi/phonebridge.yaml, and nothing of the mock's code. Every response it
 * receives is checked against the document; each test adds a behaviour check.
 *
 * Order matters and is kept: per-operation checks that change nothing come
 * first, then the lifecycle (with --allow-writes), then the coverage check.
 * --operation narrows the per-operation checks (and the coverage demanded) to
 * the operations named; the privilege, routing, lifecycle and OAuth checks
 * always run whole, since the lifecycle is one scenario across operations.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it, type TestContext } from './lib/harness.js';
import { PhoneBridgeClient } from './lib/client.js';
import { coverageGaps } from './lib/coverage.js';
import { Contract } from './lib/document.js';
import { ContractSuite, type Persona } from './lib/suite.js';
import { readTarget } from './lib/target.js';

const target = readTarget();
const contract = Contract.load();
const pb = new PhoneBridgeClient(target, contract);
const accounts = target.accountsUrl ? new PhoneBridgeClient(target, Contract.load('accounts.yaml'), target.accountsUrl) : undefined;
const suite = new ContractSuite(target, contract, pb, { notRegistered: 'PBX_NOT_REGISTERED' });

const operations = suite.operations;
const checked = suite.checked;
const callRef = (name: string) => suite.callRef(name);
const UNKNOWN_NUMBER = '+999 000 000 0001';

/** The persona's token, or a skip that says which option would run the test. */
const persona = (ctx: TestContext, name: Persona): string => suite.persona(ctx, name);

/** Skips a request that would change data if the target is not in the state the test expects. */
const writesAllowed = (ctx: TestContext, operationId: string): void => suite.writesAllowed(ctx, operationId);

/** The documented responses the run must exercise: the checked operations' and the accounts server's. */
const demandedCoverage = () => suite.demandedCoverage(accounts?.coverage() ?? []);

for (const op of checked) suite.operationChecks(op);

describe('privilege', () => {
  const admins = [
    ['enableIntegration', {}],
    ['disableIntegration', {}],
    ['disableClickToCall', {}],
    ['enableClickToCall', { answerurl: 'https://pbx.example.com/contract-suite/answer' }],
  ] as const;
  for (const [id, extra] of admins) {
    it(`${id} -> 403 for a standard (non-admin) user`, async (ctx) => {
      const token = persona(ctx, 'user');
      writesAllowed(ctx, id);
      pb.expect(await pb.call(id, { token, params: pb.validParams(id, extra) }), { status: 403 });
    });
  }

  it('enableIntegration -> 403 DIFFERENT_PBX_ALREADY_ENABLED where another PBX is enabled', async (ctx) => {
    const token = persona(ctx, 'otherpbx');
    writesAllowed(ctx, 'enableIntegration');
    pb.expect(await pb.call('enableIntegration', { token }), { status: 403, code: 'DIFFERENT_PBX_ALREADY_ENABLED' });
  });
});

describe('routing (404 and 405)', () => {
  it('an unknown path -> 404 in the error envelope', async () => {
    const ex = await pb.raw('GET', `/crm/v2/phonebridge/contract-suite-no-such-endpoint`);
    pb.expect(ex, { status: 404 });
  });

  for (const path of [...new Set(operations.map((o) => o.path))]) {
    const missing = ['PUT', 'PATCH', 'GET', 'POST', 'DELETE'].find((m) => !contract.methodsOf(path).includes(m))!;
    it(`${missing} ${path} -> 405 with an Allow header listing ${contract.methodsOf(path).join(', ')}`, async () => {
      pb.expect(await pb.raw(missing, path), { status: 405 });
    });
  }
});

/** State the lifecycle learns as it goes, so it restores only what it changed. */
const state = { integratedBefore: undefined as boolean | undefined, enabledBySuite: false };

describe('lifecycle', () => {
  const needWrites = (ctx: TestContext) => {
    if (!target.allowWrites) ctx.skip('changes data: run with --allow-writes');
  };
  const needIntegration = (ctx: TestContext) => {
    if (!state.integratedBefore && !state.enabledBySuite)
      ctx.skip('the integration is not enabled on the target: run with --allow-writes to let the suite enable it');
  };
  const needOwnIntegration = (ctx: TestContext) => {
    needWrites(ctx);
    if (!state.enabledBySuite) ctx.skip('the integration was enabled before the suite ran; the suite leaves an existing setup alone');
  };

  it('listUsers tells whether the integration is enabled (200) or not (400 PBX_NOT_INTEGRATED)', async () => {
    const ex = await pb.call('listUsers');
    expect([200, 400], `listUsers answered ${ex.status}`).toContain(ex.status);
    if (ex.status === 400) pb.expect(ex, { status: 400, code: 'PBX_NOT_INTEGRATED' });
    state.integratedBefore = ex.status === 200;
  });

  for (const op of operations.filter((o) => o.operationId !== 'enableIntegration')) {
    const id = op.operationId;
    it(`${id} -> 400 PBX_NOT_INTEGRATED before the integration is enabled`, async (ctx) => {
      needWrites(ctx);
      if (state.integratedBefore) ctx.skip('the integration is already enabled on the target');
      pb.expect(await pb.call(id, { params: pb.validParams(id) }), { status: 400, code: 'PBX_NOT_INTEGRATED' });
    });
  }

  it('enableIntegration -> 200 SUCCESS', async (ctx) => {
    needWrites(ctx);
    if (state.integratedBefore) ctx.skip('the integration is already enabled on the target; the suite will not disable what it did not enable');
    const ex = await pb.call('enableIntegration');
    pb.expect(ex, { status: 200, code: 'SUCCESS' });
    state.enabledBySuite = true;
  });

  it('enableIntegration again -> 403 PBX_ALREADY_ENABLED', async (ctx) => {
    needWrites(ctx);
    pb.expect(await pb.call('enableIntegration'), { status: 403, code: 'PBX_ALREADY_ENABLED' });
  });

  const clickToCall = {
    clicktocallurl: 'https://pbx.example.com/contract-suite/clicktocall',
    authorizationparam: '{ name:authorization, value:contract-suite}',
    clicktocallparam: '[{name:suite,value:contract}]',
  };
  for (const placement of ['form', 'query', 'json'] as const) {
    it(`enableClickToCall -> 200 with the parameters in a ${placement === 'query' ? 'query string and an empty body' : `${placement} body`}`, async (ctx) => {
      needOwnIntegration(ctx);
      pb.expect(await pb.call('enableClickToCall', { params: clickToCall, placement }), { status: 200, code: 'SUCCESS' });
    });
  }

  it('enableClickToCallByGet -> 200 with the parameters in the query string', async (ctx) => {
    needOwnIntegration(ctx);
    pb.expect(await pb.call('enableClickToCallByGet', { params: clickToCall }), { status: 200, code: 'SUCCESS' });
  });

  const inbound = { callrefid: callRef('inbound'), fromnumber: target.knownNumber, tonumber: '100' };

  it('callReceived -> 200 with the caller in full (a form body)', async (ctx) => {
    needWrites(ctx);
    const ex = await pb.call('callReceived', { params: inbound, placement: 'form' });
    pb.expect(ex, { status: 200 });
    expect(ex.body, 'a call-event success body must not carry "status"').not.toHaveProperty('status');
  });

  it('callAnswered -> 200 (parameters in the query string of a POST)', async (ctx) => {
    needWrites(ctx);
    pb.expect(await pb.call('callAnswered', { params: inbound, placement: 'query' }), { status: 200 });
  });

  it('callHungUp -> 200 (a JSON body)', async (ctx) => {
    needWrites(ctx);
    const params = pb.validParams('callHungUp', { ...inbound, direction: 'inbound', duration: '42' });
    pb.expect(await pb.call('callHungUp', { params, placement: 'json' }), { status: 200 });
  });

  it('updateVoiceUrl -> 200 for the call the suite reported', async (ctx) => {
    needWrites(ctx);
    const ex = await pb.call('updateVoiceUrl', { params: { callrefid: inbound.callrefid, voiceurl: 'https://pbx.example.com/contract-suite/rec.mp3' } });
    pb.expect(ex, { status: 200, code: 'SUCCESS' });
  });

  it('updateVoiceUrl -> 400 INVALID_DATA naming callrefid for a call nobody reported', async (ctx) => {
    needWrites(ctx);
    const ex = await pb.call('updateVoiceUrl', {
      params: { callrefid: callRef('never-reported'), voiceurl: 'https://pbx.example.com/contract-suite/rec.mp3' },
    });
    pb.expect(ex, { status: 400, code: 'INVALID_DATA', param: 'callrefid' });
  });

  it('callMissed -> 200', async (ctx) => {
    needWrites(ctx);
    pb.expect(await pb.call('callMissed', { params: pb.validParams('callMissed', { ...inbound, callrefid: callRef('missed') }) }), { status: 200 });
  });

  it('callDialed -> 200 with the callee in full', async (ctx) => {
    needWrites(ctx);
    const params = pb.validParams('callDialed', { callrefid: callRef('outbound'), fromnumber: '100', tonumber: target.knownNumber });
    pb.expect(await pb.call('callDialed', { params }), { status: 200 });
  });

  it('callReceived from an unknown number -> 200 {"data": []}', async (ctx) => {
    needWrites(ctx);
    const ex = await pb.call('callReceived', { params: { ...inbound, callrefid: callRef('unknown'), fromnumber: UNKNOWN_NUMBER } });
    pb.expect(ex, { status: 200 });
    expect(ex.body).toEqual({ data: [] });
  });

  it('listUsers -> 200 with the active users', async (ctx) => {
    needIntegration(ctx);
    pb.expect(await pb.call('listUsers'), { status: 200 });
  });

  it('getCallerDetails -> 200 for a number in the CRM', async (ctx) => {
    needIntegration(ctx);
    const ex = await pb.call('getCallerDetails', { params: { phonenumber: target.knownNumber } });
    if (ex.status === 204) ctx.skip(`${target.knownNumber} matches no record on the target: pass --known-number`);
    pb.expect(ex, { status: 200 });
  });

  it('getCallerDetails -> 204 with an empty body for an unknown number', async (ctx) => {
    needIntegration(ctx);
    pb.expect(await pb.call('getCallerDetails', { params: { phonenumber: UNKNOWN_NUMBER } }), { status: 204 });
  });

  it('disableClickToCall -> 200', async (ctx) => {
    needOwnIntegration(ctx);
    pb.expect(await pb.call('disableClickToCall'), { status: 200, code: 'SUCCESS' });
  });

  it('disableIntegration -> 200 (the suite disables only what it enabled)', async (ctx) => {
    needOwnIntegration(ctx);
    pb.expect(await pb.call('disableIntegration'), { status: 200, code: 'SUCCESS' });
    state.enabledBySuite = false;
  });

  it('disableIntegration again -> 400 PBX_NOT_INTEGRATED', async (ctx) => {
    needWrites(ctx);
    if (state.integratedBefore) ctx.skip('the integration was enabled before the suite ran');
    pb.expect(await pb.call('disableIntegration'), { status: 400, code: 'PBX_NOT_INTEGRATED' });
  });
});

describe('accounts server (OAuth)', () => {
  const needAccounts = (ctx: TestContext): PhoneBridgeClient => {
    if (!accounts) ctx.skip('needs --accounts-url (for Zoho, e.g. https://accounts.zoho.com)');
    return accounts;
  };
  const needClient = (ctx: TestContext) => {
    if (!target.client) ctx.skip('needs --client-id and --client-secret of a registered OAuth client');
    return target.client;
  };
  const tokenError = async (oauth: PhoneBridgeClient, params: Record<string, string>, error: string) => {
    const ex = await oauth.call('token', { token: null, params });
    oauth.expect(ex, { status: 200 });
    expect(ex.body, `token endpoint answer to ${JSON.stringify(params)}`).toEqual({ error });
  };

  it('serverInfo -> 200 with the data centres', async (ctx) => {
    const oauth = needAccounts(ctx);
    oauth.expect(await oauth.call('serverInfo', { token: null }), { status: 200 });
  });

  it('token with an unknown client -> HTTP 200 {"error": "invalid_client"}', async (ctx) => {
    const oauth = needAccounts(ctx);
    await tokenError(
      oauth,
      {
        grant_type: 'authorization_code',
        client_id: `1000.contract-suite-${target.runId}`,
        client_secret: 'x',
        code: 'x',
        redirect_uri: 'https://pbx.example.com/cb',
      },
      'invalid_client',
    );
  });

  it('token with an unsupported grant type -> HTTP 200 {"error": "unsupported_grant_type"}', async (ctx) => {
    const oauth = needAccounts(ctx);
    await tokenError(
      oauth,
      { grant_type: 'password', client_id: target.client?.id ?? 'x', client_secret: target.client?.secret ?? 'x' },
      'unsupported_grant_type',
    );
  });

  it('token with a wrong client secret -> {"error": "invalid_client_secret"}', async (ctx) => {
    const oauth = needAccounts(ctx);
    const client = needClient(ctx);
    await tokenError(
      oauth,
      { grant_type: 'refresh_token', client_id: client.id, client_secret: `${client.secret}-wrong`, refresh_token: 'x' },
      'invalid_client_secret',
    );
  });

  it('token with a grant code nobody issued -> {"error": "invalid_code"}', async (ctx) => {
    const oauth = needAccounts(ctx);
    const client = needClient(ctx);
    await tokenError(
      oauth,
      {
        grant_type: 'authorization_code',
        client_id: client.id,
        client_secret: client.secret,
        code: `1000.contract-suite.${target.runId}`,
        redirect_uri: client.redirectUri,
      },
      'invalid_code',
    );
  });

  it('token with a refresh token nobody issued -> {"error": "invalid_code"}', async (ctx) => {
    const oauth = needAccounts(ctx);
    const client = needClient(ctx);
    await tokenError(
      oauth,
      { grant_type: 'refresh_token', client_id: client.id, client_secret: client.secret, refresh_token: `1000.contract-suite.${target.runId}` },
      'invalid_code',
    );
  });

  it('revokeToken with a token nobody issued -> 400', async (ctx) => {
    const oauth = needAccounts(ctx);
    oauth.expect(await oauth.call('revokeToken', { token: null, params: { token: `1000.contract-suite.${target.runId}` } }), { status: 400 });
  });

  it('authorize with an unknown client -> 400 error page, no redirect', async (ctx) => {
    const oauth = needAccounts(ctx);
    const params = {
      response_type: 'code',
      client_id: `1000.contract-suite-${target.runId}`,
      scope: 'ZohoCRM.crmphonebridge.ALL',
      redirect_uri: 'https://pbx.example.com/cb',
    };
    oauth.expect(await oauth.call('authorize', { token: null, params }), { status: 400 });
  });

  it('consent -> code -> tokens -> PhoneBridge call -> revoke -> 401 (mock only: Zoho needs a person to sign in)', async (ctx) => {
    const oauth = needAccounts(ctx);
    const client = needClient(ctx);
    if (!target.isMock) ctx.skip('signing in to Zoho needs a person');
    if (!target.allowWrites) ctx.skip('mints and revokes tokens: run with --allow-writes');
    const request = {
      response_type: 'code',
      client_id: client.id,
      scope: 'ZohoCRM.crmphonebridge.ALL',
      redirect_uri: client.redirectUri,
      access_type: 'offline',
      state: target.runId,
    };
    let ex = await oauth.call('authorize', { token: null, params: request });
    if (ex.status === 200) {
      // The consent page lists the users; consent as the first, as its button would.
      const userid = /data-userid="(\d+)"/.exec(ex.text)?.[1];
      expect(userid, 'the consent page lists at least one user').toBeDefined();
      oauth.expect(await oauth.call('consent', { token: null, params: { ...request, userid: '0000000000000000000' } }), { status: 400 });
      ex = await oauth.call('consent', { token: null, params: { ...request, userid: userid! } });
    } else {
      // Auto-consent skipped the page; the form it posts answers all the same: an unknown user, and a refusal.
      oauth.expect(await oauth.call('consent', { token: null, params: { ...request, userid: '0000000000000000000' } }), { status: 400 });
      const denied = await oauth.call('consent', { token: null, params: { ...request, userid: '0000000000000000000', decision: 'deny' } });
      oauth.expect(denied, { status: 302 });
      expect(new URL(denied.headers.location!).searchParams.get('error')).toBe('access_denied');
    }
    oauth.expect(ex, { status: 302 });
    const redirect = new URL(ex.headers.location!);
    expect(redirect.searchParams.get('state')).toBe(target.runId);
    const code = redirect.searchParams.get('code')!;

    const tokens = await oauth.call('token', {
      token: null,
      params: { grant_type: 'authorization_code', code, client_id: client.id, client_secret: client.secret, redirect_uri: client.redirectUri },
      placement: 'query',
    });
    oauth.expect(tokens, { status: 200 });
    const { access_token, refresh_token } = tokens.body as { access_token?: string; refresh_token?: string };
    expect(access_token, JSON.stringify(tokens.body)).toBeDefined();
    const users = await pb.call('listUsers', { token: access_token! });
    expect([200, 400]).toContain(users.status);

    oauth.expect(await oauth.call('revokeToken', { token: null, params: { token: refresh_token! } }), { status: 200 });
    pb.expect(await pb.call('listUsers', { token: access_token! }), { status: 401, code: 'INVALID_TOKEN' });
  });
});

describe('coverage of the document', () => {
  it('every documented (operation, status) was exercised and passed (mock only)', (ctx) => {
    if (!target.isMock) ctx.skip('a real target cannot be driven into every documented response (500, say)');
    const gaps = coverageGaps(demandedCoverage());
    if (gaps.length) throw new Error(`documented responses not exercised, or failing:\n${gaps.join('\n')}`);
  });
});

afterAll(async () => {
  // A failure part-way must not leave the integration the suite enabled behind.
  if (state.enabledBySuite) await pb.call('disableIntegration').catch(() => undefined);
  if (target.coverageFile) writeFileSync(target.coverageFile, JSON.stringify(demandedCoverage(), null, 2));
});
