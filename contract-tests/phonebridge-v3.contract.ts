/**
 * The PhoneBridge v3 contract suite (`/phonebridge/v3/...`), beside v2's
 * phonebridge.contract.ts and with its guarantees. Black-box: it knows a base
 * URL, tokens and openapi/phonebridge-v3.yaml, and nothing of the mock's
 * code. Every response it receives is checked against that document; each
 * test adds a behaviour check.
 *
 * Order matters and is kept: per-operation checks that change nothing come
 * first, then privilege and routing, then the lifecycle (with
 * --allow-writes), then the coverage checks. --operation narrows the
 * per-operation checks (and the coverage demanded) as in v2.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it, type TestContext } from './lib/harness.js';
import { PhoneBridgeClient } from './lib/client.js';
import { codeGaps, coverageGaps } from './lib/coverage.js';
import { Contract } from './lib/document.js';
import { mintToken, type MintedToken } from './lib/oauth.js';
import { ContractSuite } from './lib/suite.js';
import { readTarget } from './lib/target.js';

const target = readTarget(process.env, 'v3');
const contract = Contract.load('phonebridge-v3.yaml');
const uri = (name: string) => `https://pbx.example.com/contract-suite/${name}`;
const pb = new PhoneBridgeClient(target, contract, target.baseUrl, {
  // v3 names a call `id` (v2: `callrefid`).
  callIdField: 'id',
  // "a request with none of them is 400 REQUIRED_PARAM_MISSING naming answeruri": a valid one names one.
  defaults: { v3EnableCallControl: { answeruri: uri('answer') } },
});
const accounts = target.accountsUrl ? new PhoneBridgeClient(target, Contract.load('accounts.yaml'), target.accountsUrl) : undefined;
const suite = new ContractSuite(target, contract, pb, { notRegistered: 'PROVIDER_NOT_REGISTERED' });
const { operations, checked } = suite;

/** The root every v3 path sits under (`/phonebridge/v3`), from the document's paths. */
const ROOT = commonRoot(operations.map((op) => op.path));
/** Another user, for the privilege checks: the one the document shows (in the mock, an administrator, not the standard persona). */
const EXAMPLE_USER = String(contract.paramsSchema('v3EnableClickToDial')?.properties?.zohouser?.example);
/** An id no org has: all zeros, as the v2 suite's consent check uses. */
const NO_SUCH_USER = '0000000000000000000';
const START_TIME = String(contract.paramsSchema('v3CallNotify')?.properties?.start_time?.example);
/** A scope that is not v3's: v2's (accounts.yaml). A token with only it must get 401 OAUTH_SCOPE_MISMATCH on v3. */
const NOT_V3_SCOPE = 'ZohoCRM.crmphonebridge.ALL';
const V3_SCOPES = (contract.document as { components?: { securitySchemes?: Record<string, { 'x-phonebridge-scopes'?: string[] }> } }).components
  ?.securitySchemes?.zohoOAuth?.['x-phonebridge-scopes'];
if (!V3_SCOPES?.length || V3_SCOPES.includes(NOT_V3_SCOPE))
  throw new Error(`the v3 document's x-phonebridge-scopes (${String(V3_SCOPES)}) must not include ${NOT_V3_SCOPE}`);

const MATRIX = callNotifyMatrix();

/** The registrations: one user each, the caller's unless `zohouser` names another (which needs an administrator). */
const REGISTRATION_OPS = ['v3EnableClickToDial', 'v3DisableClickToDial', 'v3EnableCallControl', 'v3DisableCallControl'];

/** One token minted without v3's scope, shared by the checks that need it, and revoked at the end. */
let narrowToken: Promise<MintedToken> | undefined;
async function tokenWithoutV3Scope(ctx: TestContext): Promise<string> {
  if (!accounts) ctx.skip('needs --accounts-url (for Zoho, e.g. https://accounts.zoho.com)');
  if (!target.client) ctx.skip('needs --client-id and --client-secret of a registered OAuth client');
  if (!target.allowWrites) ctx.skip('mints and revokes a token: run with --allow-writes');
  narrowToken ??= mintToken(accounts, target.client, NOT_V3_SCOPE, target.runId);
  return (await narrowToken).accessToken;
}

for (const op of checked) {
  const id = op.operationId;
  suite.operationChecks(op, () => {
    // Zoho's sign-in needs a person; the mock's accounts server mints one for the suite.
    if (target.isMock) {
      it(`${id} -> 401 OAUTH_SCOPE_MISMATCH with a token without ${V3_SCOPES.join(', ')} (mock only: minted through its accounts server)`, async (ctx) => {
        const token = await tokenWithoutV3Scope(ctx);
        pb.expect(await pb.call(id, { token, params: pb.validParams(id) }), { status: 401, code: 'OAUTH_SCOPE_MISMATCH' });
      });
    }

    if (id === 'v3EnableCallControl') {
      it(`${id} -> 400 REQUIRED_PARAM_MISSING naming answeruri when no URI is given`, async (ctx) => {
        suite.writesAllowed(ctx, id);
        const params = pb.validParams(id);
        for (const field of callControlUris()) delete params[field];
        pb.expect(await pb.call(id, { params }), { status: 400, code: 'REQUIRED_PARAM_MISSING', param: 'answeruri' });
      });
    }

    if (id === 'v3CallNotify') {
      for (const [type, states] of MATRIX.states) {
        for (const state of MATRIX.allStates.filter((s) => !states.includes(s))) {
          it(`${id} -> 400 INVALID_DATA naming state for type=${type} with state=${state} (not one of ${type}'s states)`, async (ctx) => {
            suite.writesAllowed(ctx, id);
            const params = pb.validParams(id, { type, state, start_time: START_TIME, id: suite.callRef(`${type}-${state}`) });
            pb.expect(await pb.call(id, { params }), { status: 400, code: 'INVALID_DATA', param: 'state' });
          });
        }
      }
    }
  });
}

describe('v3 privilege', () => {
  for (const id of ['v3EnableIntegration', 'v3DisableIntegration']) {
    it(`${id} -> 403 INTERNAL_ERROR for a standard (non-admin) user`, async (ctx) => {
      const token = suite.persona(ctx, 'user');
      suite.writesAllowed(ctx, id);
      pb.expect(await pb.call(id, { token, params: pb.validParams(id) }), { status: 403, code: 'INTERNAL_ERROR' });
    });
  }

  for (const id of REGISTRATION_OPS) {
    it(`${id} naming another user (zohouser) -> 403 NO_PERMISSION for a standard (non-admin) user`, async (ctx) => {
      const token = suite.persona(ctx, 'user');
      suite.writesAllowed(ctx, id);
      pb.expect(await pb.call(id, { token, params: pb.validParams(id, { zohouser: EXAMPLE_USER }) }), { status: 403, code: 'NO_PERMISSION' });
    });
  }

  for (const { operationId: id } of operations) {
    it(`${id} -> 403 DIFFERENT_PROVIDER_ALREADY_ENABLED where another provider is enabled`, async (ctx) => {
      const token = suite.persona(ctx, 'otherpbx');
      suite.writesAllowed(ctx, id);
      pb.expect(await pb.call(id, { token, params: pb.validParams(id) }), { status: 403, code: 'DIFFERENT_PROVIDER_ALREADY_ENABLED' });
    });
  }
});

describe('v3 routing (404 and 405)', () => {
  it(`an unknown path under ${ROOT}/ -> 404 INVALID_URL_PATTERN`, async () => {
    pb.expect(await pb.raw('GET', `${ROOT}/contract-suite-no-such-endpoint`), { status: 404, code: 'INVALID_URL_PATTERN' });
  });

  it(`POST ${ROOT}/calls/popup (the document's example of a path it lacks) -> 404 INVALID_URL_PATTERN`, async () => {
    pb.expect(await pb.raw('POST', `${ROOT}/calls/popup`), { status: 404, code: 'INVALID_URL_PATTERN' });
  });

  for (const path of [...new Set(operations.map((o) => o.path))]) {
    const missing = ['PUT', 'PATCH', 'GET', 'POST', 'DELETE'].find((m) => !contract.methodsOf(path).includes(m))!;
    it(`${missing} ${path} -> 405 INVALID_REQUEST_METHOD with an Allow header listing ${contract.methodsOf(path).join(', ')}`, async () => {
      pb.expect(await pb.raw(missing, path), { status: 405, code: 'INVALID_REQUEST_METHOD' });
    });
  }
});

/** State the lifecycle learns as it goes, so it restores only what it changed. */
const state = {
  integratedBefore: undefined as boolean | undefined,
  enabledBySuite: false,
  /** The target's profile, as `Authorization: Bearer` tells it (documented: accepted; live: 401). */
  profile: undefined as 'documented' | 'live' | undefined,
  /** A user `users` listed, for the registrations made by `zohouser`. */
  user: undefined as string | undefined,
  /** The registrations the suite made, and so removes. */
  clickToDial: false,
  callControlUser: undefined as string | undefined,
};

describe('v3 lifecycle', () => {
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
  const needProfile = (ctx: TestContext): 'documented' | 'live' => {
    if (!state.profile) ctx.skip('the profile check (Authorization: Bearer) did not tell the profile');
    return state.profile;
  };

  it('v3ListUsers tells whether the integration is enabled (200) or not (400 PBX_NOT_INTEGRATED)', async () => {
    const ex = await pb.call('v3ListUsers');
    expect([200, 400], `v3ListUsers answered ${ex.status}`).toContain(ex.status);
    if (ex.status === 400) pb.expect(ex, { status: 400, code: 'PBX_NOT_INTEGRATED' });
    state.integratedBefore = ex.status === 200;
  });

  it('v3ListUsers with "Authorization: Bearer" -> as with Zoho-oauthtoken (documented profile) or 401 INVALID_TOKEN (live profile)', async () => {
    const ex = await pb.call('v3ListUsers', { token: null, headers: { Authorization: `Bearer ${target.token}` } });
    if (ex.status === 401) {
      pb.expect(ex, { status: 401, code: 'INVALID_TOKEN' });
      state.profile = 'live';
    } else {
      pb.expect(ex, state.integratedBefore ? { status: 200 } : { status: 400, code: 'PBX_NOT_INTEGRATED' });
      state.profile = 'documented';
    }
  });

  for (const op of operations.filter((o) => o.operationId !== 'v3EnableIntegration')) {
    const id = op.operationId;
    it(`${id} -> 400 PBX_NOT_INTEGRATED before the integration is enabled`, async (ctx) => {
      needWrites(ctx);
      if (state.integratedBefore) ctx.skip('the integration is already enabled on the target');
      pb.expect(await pb.call(id, { params: pb.validParams(id) }), { status: 400, code: 'PBX_NOT_INTEGRATED' });
    });
  }

  it('v3EnableIntegration -> 200 SUCCESS', async (ctx) => {
    needWrites(ctx);
    if (state.integratedBefore) ctx.skip('the integration is already enabled on the target; the suite will not disable what it did not enable');
    pb.expect(await pb.call('v3EnableIntegration'), { status: 200, code: 'SUCCESS' });
    state.enabledBySuite = true;
  });

  it("v3EnableIntegration again -> 200 SUCCESS, idempotent (not v2's 403 PBX_ALREADY_ENABLED)", async (ctx) => {
    needWrites(ctx);
    pb.expect(await pb.call('v3EnableIntegration'), { status: 200, code: 'SUCCESS' });
    // Still enabled, for the same provider.
    pb.expect(await pb.call('v3ListUsers'), { status: 200 });
  });

  it('v3ListUsers -> 200: navigation, users and paging, paging naming the page and perPage asked, at most perPage users', async (ctx) => {
    needIntegration(ctx);
    const all = await pb.call('v3ListUsers');
    pb.expect(all, { status: 200 });
    const first = all.body as UserPage;
    state.user = first.users[0]?.zohouser;
    pb.behaviour(all, () => {
      expect(first.paging.page, 'paging.page without a page asked').toBe(1);
      expect(first.users.length, 'users on the first page').toBeLessThanOrEqual(first.paging.perPage);
      expect(state.user, 'users lists at least one user (the caller)').toBeDefined();
    });
    const one = await pb.call('v3ListUsers', { params: { page: '1', perPage: '1' } });
    pb.expect(one, { status: 200 });
    pb.behaviour(one, () => {
      const page = one.body as UserPage;
      expect(page.paging, 'paging for page=1&perPage=1').toEqual({ page: 1, perPage: 1 });
      expect(page.users, 'page=1&perPage=1 is the first user').toEqual(first.users.slice(0, 1));
    });
  });

  if (target.isMock) {
    it('v3ListUsers pages as the mock decided: perPage 200 by default, links to the previous and next pages only where they exist, an empty page past the last (mock only)', async (ctx) => {
      needIntegration(ctx);
      const all = await pb.call('v3ListUsers');
      pb.expect(all, { status: 200 });
      const first = all.body as UserPage;
      pb.behaviour(all, () => {
        expect(first.paging).toEqual({ page: 1, perPage: 200 });
        expect(first.users.length, 'the mock seeds more than two active users').toBeGreaterThan(2);
      });
      const count = first.users.length;
      const second = await pb.call('v3ListUsers', { params: { page: '2', perPage: '1' } });
      pb.expect(second, { status: 200 });
      pb.behaviour(second, () => {
        const body = second.body as UserPage;
        expect(body.users).toEqual(first.users.slice(1, 2));
        expect(body.navigation.firstPage?.uri, 'navigation.firstPage is the previous page').toMatch(new RegExp(`${ROOT}/users\\?page=1&perPage=1$`));
        expect(body.navigation.lastPage?.uri, 'navigation.lastPage is the next page').toMatch(new RegExp(`${ROOT}/users\\?page=3&perPage=1$`));
      });
      const last = await pb.call('v3ListUsers', { params: { page: String(count), perPage: '1' } });
      pb.expect(last, { status: 200 });
      pb.behaviour(last, () => expect((last.body as UserPage).navigation.lastPage, 'no next page after the last').toBeUndefined());
      const past = await pb.call('v3ListUsers', { params: { page: String(count + 1), perPage: '1' } });
      pb.expect(past, { status: 200 });
      pb.behaviour(past, () => expect((past.body as UserPage).users, 'a page past the last').toEqual([]));
    });
  }

  it('v3EnableClickToDial -> 200 SUCCESS for the calling user, with clicktodialparam ({to}) and authorizationparam', async (ctx) => {
    needOwnIntegration(ctx);
    const params = {
      clicktodialuri: uri('clicktodial'),
      authorizationparam: '{ name:authorization, value:contract-suite}',
      clicktodialparam: "[{name:callee,value:'{to}'},{name:suite,value:contract}]",
    };
    pb.expect(await pb.call('v3EnableClickToDial', { params }), { status: 200, code: 'SUCCESS' });
    state.clickToDial = true;
  });

  it('v3EnableClickToDial -> 400 INVALID_USER for a zohouser the org does not have', async (ctx) => {
    needOwnIntegration(ctx);
    const ex = await pb.call('v3EnableClickToDial', { params: { clicktodialuri: uri('clicktodial'), zohouser: NO_SUCH_USER } });
    pb.expect(ex, { status: 400, code: 'INVALID_USER' });
  });

  it('v3EnableCallControl -> 200 SUCCESS for a listed user (zohouser), with every call-control URI and callcontrolparam', async (ctx) => {
    needOwnIntegration(ctx);
    if (!state.user) return ctx.skip('users listed no user');
    const params: Record<string, string> = {
      zohouser: state.user,
      authorizationparam: '{ name:authorization, value:contract-suite}',
      callcontrolparam: '[{name:suite,value:contract}]',
    };
    for (const field of callControlUris()) params[field] = uri(field);
    pb.expect(await pb.call('v3EnableCallControl', { params }), { status: 200, code: 'SUCCESS' });
    state.callControlUser = state.user;
  });

  const from = target.knownNumber;
  const inbound = { type: 'received', id: suite.callRef('v3-inbound'), from, to: '100' };
  for (const [step, extra] of [
    ['ringing', {}],
    ['answered', {}],
    ['ended', { start_time: START_TIME, duration: '42', voiceuri: uri('recording.mp3') }],
  ] as const) {
    it(`v3CallNotify type=received state=${step}${Object.keys(extra).length ? ` with ${Object.keys(extra).join(', ')}` : ''} -> 200 SUCCESS`, async (ctx) => {
      needWrites(ctx);
      needIntegration(ctx);
      pb.expect(await pb.call('v3CallNotify', { params: { ...inbound, state: step, ...extra } }), { status: 200, code: 'SUCCESS' });
    });
  }

  it('v3CallNotify type=dialed state=ended (an outgoing call reported at its end) -> 200 SUCCESS', async (ctx) => {
    needWrites(ctx);
    needIntegration(ctx);
    const params = { type: 'dialed', state: 'ended', id: suite.callRef('v3-outbound'), from: '100', to: from, start_time: START_TIME, duration: '7' };
    pb.expect(await pb.call('v3CallNotify', { params }), { status: 200, code: 'SUCCESS' });
  });

  // The states Zoho documents but its live API refuses (the document's profiles), each as the target's profile says.
  for (const { type, state: callState, startTimeRequired } of MATRIX.liveRefused) {
    const params = () => ({
      type,
      state: callState,
      id: suite.callRef(`v3-${type}-${callState}`),
      from: type === 'dialed' ? '100' : from,
      to: type === 'dialed' ? from : '100',
    });
    it(`v3CallNotify type=${type} state=${callState} -> 200 SUCCESS in the documented profile, 400 INVALID_DATA naming state in the live one`, async (ctx) => {
      needWrites(ctx);
      needIntegration(ctx);
      const profile = needProfile(ctx);
      const ex = await pb.call('v3CallNotify', { params: { ...params(), start_time: START_TIME } });
      pb.expect(ex, profile === 'documented' ? { status: 200, code: 'SUCCESS' } : { status: 400, code: 'INVALID_DATA', param: 'state' });
    });

    if (startTimeRequired) {
      it(`v3CallNotify type=${type} state=${callState} without start_time -> 400 REQUIRED_PARAM_MISSING naming start_time (documented profile)`, async (ctx) => {
        needWrites(ctx);
        needIntegration(ctx);
        if (needProfile(ctx) === 'live') ctx.skip('the live profile refuses the state itself');
        pb.expect(await pb.call('v3CallNotify', { params: params() }), { status: 400, code: 'REQUIRED_PARAM_MISSING', param: 'start_time' });
      });
    }
  }

  it('v3ClickToDialError -> 200 SUCCESS', async (ctx) => {
    needWrites(ctx);
    needIntegration(ctx);
    const params = { code: 'busy', from: '100', to: from, message: `contract suite ${target.runId}: a click-to-dial error` };
    pb.expect(await pb.call('v3ClickToDialError', { params }), { status: 200, code: 'SUCCESS' });
  });

  it('v3DisableClickToDial -> 400 INVALID_USER for a zohouser the org does not have (in the query string)', async (ctx) => {
    needOwnIntegration(ctx);
    pb.expect(await pb.call('v3DisableClickToDial', { params: { zohouser: NO_SUCH_USER }, placement: 'query' }), { status: 400, code: 'INVALID_USER' });
  });

  it('v3DisableClickToDial -> 200 SUCCESS for the calling user (the suite removes what it registered)', async (ctx) => {
    needOwnIntegration(ctx);
    if (!state.clickToDial) ctx.skip('the suite registered no click-to-dial');
    pb.expect(await pb.call('v3DisableClickToDial'), { status: 200, code: 'SUCCESS' });
    state.clickToDial = false;
  });

  it('v3DisableCallControl -> 200 SUCCESS for the listed user, zohouser in a form body', async (ctx) => {
    needOwnIntegration(ctx);
    if (!state.callControlUser) return ctx.skip('the suite registered no call control');
    pb.expect(await pb.call('v3DisableCallControl', { params: { zohouser: state.callControlUser }, placement: 'form' }), { status: 200, code: 'SUCCESS' });
    state.callControlUser = undefined;
  });

  it('v3DisableIntegration -> 200 SUCCESS (the suite disables only what it enabled)', async (ctx) => {
    needOwnIntegration(ctx);
    pb.expect(await pb.call('v3DisableIntegration'), { status: 200, code: 'SUCCESS' });
    state.enabledBySuite = false;
  });

  it('v3DisableIntegration again -> 400 PBX_NOT_INTEGRATED', async (ctx) => {
    needWrites(ctx);
    if (state.integratedBefore) ctx.skip('the integration was enabled before the suite ran');
    pb.expect(await pb.call('v3DisableIntegration'), { status: 400, code: 'PBX_NOT_INTEGRATED' });
  });
});

describe('v3 coverage of the document', () => {
  it('every documented (operation, status) was exercised and passed (mock only)', (ctx) => {
    if (!target.isMock) ctx.skip('a real target cannot be driven into every documented response (500, say)');
    const gaps = coverageGaps(suite.demandedCoverage());
    if (gaps.length) throw new Error(`documented responses not exercised, or failing:\n${gaps.join('\n')}`);
  });

  it('every (status, error code) the document lists was answered and passed (mock only)', (ctx) => {
    if (!target.isMock) ctx.skip('a real target cannot be driven into every documented response (500, say)');
    const gaps = codeGaps(pb.codeCoverage(contract.documentedCodes(new Set(checked.map((op) => op.operationId)))));
    if (gaps.length) throw new Error(`documented error codes not answered, or failing:\n${gaps.join('\n')}`);
  });
});

afterAll(async () => {
  // A failure part-way must not leave behind what the suite registered or enabled.
  const quietly = (id: string, params?: Record<string, string>) => pb.call(id, { params, placement: params ? 'form' : undefined }).catch(() => undefined);
  if (state.clickToDial) await quietly('v3DisableClickToDial');
  if (state.callControlUser) await quietly('v3DisableCallControl', { zohouser: state.callControlUser });
  if (state.enabledBySuite) await quietly('v3DisableIntegration');
  const minted = await narrowToken?.catch(() => undefined);
  if (accounts && minted?.refreshToken) await accounts.call('revokeToken', { token: null, params: { token: minted.refreshToken } }).catch(() => undefined);
  if (target.coverageFile) writeFileSync(target.coverageFile, JSON.stringify(suite.demandedCoverage(), null, 2));
});

interface UserPage {
  navigation: { firstPage?: { uri: string }; lastPage?: { uri: string } };
  users: { zohouser: string; email: string; username: string }[];
  paging: { page: number; perPage: number };
}

/** v3EnableCallControl's URI fields (answeruri ... keypressuri), from its schema. */
function callControlUris(): string[] {
  return Object.entries(contract.paramsSchema('v3EnableCallControl')?.properties ?? {})
    .filter(([, schema]) => schema.format === 'uri')
    .map(([name]) => name);
}

/** The longest path of segments every path starts with: `/phonebridge/v3`. */
function commonRoot(paths: string[]): string {
  const split = paths.map((p) => p.split('/'));
  const segments: string[] = [];
  for (let i = 0; split.every((s) => s.length > i + 1 && s[i] === split[0]![i]); i++) segments.push(split[0]![i]!);
  return segments.join('/');
}

/**
 * v3CallNotify's `type` x `state` matrix, read from the table in its
 * description (`| \`received\` | \`ringing\` | also |`): each type's states,
 * and the pairs whose "also" says `live`: 400 (and whether it requires
 * start_time). Checked against the `type` and `state` enums, so a changed
 * table fails the run rather than checking less.
 */
function callNotifyMatrix() {
  const schema = contract.paramsSchema('v3CallNotify');
  const types = (schema?.properties?.type?.enum ?? []).map(String);
  const allStates = (schema?.properties?.state?.enum ?? []).map(String);
  const states = new Map<string, string[]>(types.map((t) => [t, []]));
  const liveRefused: { type: string; state: string; startTimeRequired: boolean }[] = [];
  const ticked = (cell: string | undefined) => [...(cell ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  for (const line of (contract.operation('v3CallNotify').description ?? '').split('\n')) {
    if (!line.trim().startsWith('|')) continue;
    const cells = line.split('|').slice(1, -1);
    const type = ticked(cells[0])[0];
    if (!type || !states.has(type)) continue;
    const also = cells[2] ?? '';
    for (const s of ticked(cells[1])) {
      if (!allStates.includes(s)) throw new Error(`v3CallNotify's table gives ${type} the state ${s}, which its state enum lacks`);
      states.get(type)!.push(s);
      if (/`live`: 400/.test(also)) liveRefused.push({ type, state: s, startTimeRequired: /`start_time` \(required\)/.test(also) });
    }
  }
  for (const [type, list] of states) if (!list.length) throw new Error(`v3CallNotify's table gives the type ${type} no state`);
  return { states, allStates, liveRefused };
}
