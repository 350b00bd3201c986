import { beforeEach, describe, expect, it } from 'vitest';
import { auth, BASE, createTestApp, licensedOrg, TOKENS, type TestApp } from './helpers.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});

const admin = auth(TOKENS.admin);
const integrate = () => t.http.post(`${BASE}/integrate`).set(admin).expect(200);
const INBOUND = { callrefid: 'call-1', fromnumber: '0018885554567', tonumber: '100' };
const HUNGUP = { ...INBOUND, callstarttime: '2026-11-26 10:00:00', duration: '42', direction: 'inbound' };

interface OperationProbe {
  name: string;
  method: 'get' | 'post' | 'delete';
  path: string;
  form?: Record<string, string>;
  query?: Record<string, string>;
}

/** One valid request per operation, to probe the checks every operation shares. */
const OPERATIONS: OperationProbe[] = [
  { name: 'POST /clicktocallandcallcontrol', method: 'post', path: '/clicktocallandcallcontrol', form: { clicktocallurl: 'https://pbx.example.com/c2c' } },
  { name: 'GET /clicktocallandcallcontrol', method: 'get', path: '/clicktocallandcallcontrol', query: { clicktocallurl: 'https://pbx.example.com/c2c' } },
  { name: 'DELETE /clicktocallandcallcontrol', method: 'delete', path: '/clicktocallandcallcontrol' },
  { name: 'POST /callreceived', method: 'post', path: '/callreceived', form: INBOUND },
  { name: 'POST /callanswered', method: 'post', path: '/callanswered', form: INBOUND },
  { name: 'POST /callhungup', method: 'post', path: '/callhungup', form: HUNGUP },
  { name: 'POST /callmissed', method: 'post', path: '/callmissed', form: { ...INBOUND, callmissedtime: '2026-11-26 10:00:00' } },
  {
    name: 'POST /calldialed',
    method: 'post',
    path: '/calldialed',
    form: { callrefid: 'out-1', fromnumber: '100', tonumber: '0018885554567', customerstatus: 'success' },
  },
  { name: 'GET /users', method: 'get', path: '/users' },
  { name: 'POST /voiceurl', method: 'post', path: '/voiceurl', form: { callrefid: 'call-1', voiceurl: 'https://pbx.example.com/rec/1.mp3' } },
  { name: 'GET /callerdetails', method: 'get', path: '/callerdetails', query: { phonenumber: '0018885554567' } },
];

function send(op: OperationProbe, token?: string) {
  const req = t.http[op.method](`${BASE}${op.path}`);
  if (token) req.set(auth(token));
  if (op.query) req.query(op.query);
  if (op.form) req.type('form').send(op.form);
  return req;
}

describe('authentication', () => {
  const invalidToken = { code: 'INVALID_TOKEN', details: {}, message: 'invalid oauth token', status: 'error' };

  it.each([
    ['no Authorization header', {}],
    ['an unknown token', auth('1000.nobody.knows')],
    ['the expired persona', auth(TOKENS.expired)],
    ['a token without the Zoho-oauthtoken scheme', { Authorization: TOKENS.admin }],
  ])('GET /users -> 401 INVALID_TOKEN with %s', async (_title, headers) => {
    const res = await t.http.get(`${BASE}/users`).set(headers).expect(401);
    expect(res.body).toEqual(invalidToken);
  });

  it('401 wins over a missing parameter', async () => {
    const res = await t.http.post(`${BASE}/callreceived`).expect(401);
    expect(res.body.code).toBe('INVALID_TOKEN');
  });

  it('a token expires when the clock passes its expiry', async () => {
    t.world.tokens['1000.short.lived'] = { ...t.world.tokens[TOKENS.admin]!, expiresAt: '2026-11-26T13:00:00Z' };
    await integrate();
    await t.http.get(`${BASE}/users`).set(auth('1000.short.lived')).expect(200);
    t.clock.set('2026-11-26T13:00:00Z');
    const res = await t.http.get(`${BASE}/users`).set(auth('1000.short.lived')).expect(401);
    expect(res.body.code).toBe('INVALID_TOKEN');
  });

  it('accepts the scheme name in any case', async () => {
    await integrate();
    await t.http
      .get(`${BASE}/users`)
      .set({ Authorization: `zoho-OAuthToken ${TOKENS.admin}` })
      .expect(200);
  });
});

describe('integrate', () => {
  it('POST -> 200 SUCCESS naming the PBX, and the org is integrated', async () => {
    const res = await integrate();
    expect(res.body).toEqual({ code: 'SUCCESS', message: 'MockPBX Integration is successful', status: 'success' });
    expect(licensedOrg(t.store).integration?.vendor).toBe('MockPBX');
  });

  it('POST again -> 403 PBX_ALREADY_ENABLED', async () => {
    await integrate();
    const res = await t.http.post(`${BASE}/integrate`).set(admin).expect(403);
    expect(res.body).toMatchObject({ code: 'PBX_ALREADY_ENABLED', details: {}, status: 'error' });
  });

  it.each([
    ['another PBX is enabled in the org', TOKENS.otherpbx, 403, 'DIFFERENT_PBX_ALREADY_ENABLED'],
    ['a standard user (privilege; code as the reference prints it)', TOKENS.user, 403, 'INTERNAL_ERROR'],
    ['an edition without telephony', TOKENS.freeedition, 403, 'NO_PERMISSION'],
    ['an unregistered vendor', TOKENS.unregistered, 400, 'PBX_NOT_REGISTERED'],
  ])('POST -> error when %s', async (_title, token, status, code) => {
    const res = await t.http.post(`${BASE}/integrate`).set(auth(token)).expect(status);
    expect(res.body).toMatchObject({ code, details: {}, status: 'error' });
    expect(res.body.message).toEqual(expect.any(String));
  });

  it('a standard user is told about privilege, not a server fault', async () => {
    const res = await t.http.post(`${BASE}/integrate`).set(auth(TOKENS.user)).expect(403);
    expect(res.body.message).toMatch(/privilege/);
    expect(licensedOrg(t.store).integration).toBeNull();
  });

  it('DELETE -> 200 removal message, and clears click-to-call', async () => {
    await integrate();
    await t.http.post(`${BASE}/clicktocallandcallcontrol`).set(admin).type('form').send({ clicktocallurl: 'https://pbx.example.com/c2c' }).expect(200);
    const res = await t.http.delete(`${BASE}/integrate`).set(admin).expect(200);
    expect(res.body).toEqual({ code: 'SUCCESS', message: 'MockPBX Integration has been successfully removed', status: 'success' });
    expect(licensedOrg(t.store).integration).toBeNull();
    expect(licensedOrg(t.store).clickToCall).toEqual({});
  });

  it('DELETE when nothing is enabled -> 400 PBX_NOT_INTEGRATED', async () => {
    const res = await t.http.delete(`${BASE}/integrate`).set(admin).expect(400);
    expect(res.body.code).toBe('PBX_NOT_INTEGRATED');
  });

  it('DELETE where only another PBX is enabled -> 400 PBX_NOT_INTEGRATED, and the other PBX stays', async () => {
    const res = await t.http.delete(`${BASE}/integrate`).set(auth(TOKENS.otherpbx)).expect(400);
    expect(res.body.code).toBe('PBX_NOT_INTEGRATED');
    expect(t.world.orgs['700000104']!.integration?.vendor).toBe('OtherPBX');
  });

  it('DELETE by a standard user -> 403, and the integration stays', async () => {
    await integrate();
    const res = await t.http.delete(`${BASE}/integrate`).set(auth(TOKENS.user)).expect(403);
    expect(res.body.code).toBe('INTERNAL_ERROR');
    expect(licensedOrg(t.store).integration).not.toBeNull();
  });
});

describe('checks every operation shares', () => {
  it.each(OPERATIONS)('$name -> 400 PBX_NOT_INTEGRATED before integrate', async (op) => {
    const res = await send(op, TOKENS.admin).expect(400);
    expect(res.body).toMatchObject({ code: 'PBX_NOT_INTEGRATED', details: {}, status: 'error' });
  });

  it.each(OPERATIONS)('$name -> 403 NO_PERMISSION for an edition without telephony', async (op) => {
    const res = await send(op, TOKENS.freeedition).expect(403);
    expect(res.body.code).toBe('NO_PERMISSION');
  });

  it.each(OPERATIONS)('$name -> 400 PBX_NOT_REGISTERED for an unregistered vendor', async (op) => {
    const res = await send(op, TOKENS.unregistered).expect(400);
    expect(res.body.code).toBe('PBX_NOT_REGISTERED');
  });

  it.each(OPERATIONS)('$name -> 401 INVALID_TOKEN without a token', async (op) => {
    const res = await send(op).expect(401);
    expect(res.body.code).toBe('INVALID_TOKEN');
  });

  it.each(OPERATIONS)('$name -> the documented 500 with Prefer: code=500', async (op) => {
    const res = await send(op, TOKENS.admin).set('Prefer', 'code=500').expect(500);
    expect(res.body).toEqual({ code: 'INTERNAL_ERROR', details: {}, message: 'Internal server error', status: 'error' });
    expect(res.headers['preference-applied']).toBe('code=500');
  });
});

describe('clicktocallandcallcontrol', () => {
  const c2c = () => t.http.post(`${BASE}/clicktocallandcallcontrol`).set(admin).type('form');
  beforeEach(integrate);

  it('POST stores every URL and name/value parameter for the calling user', async () => {
    const urls = Object.fromEntries(
      ['answerurl', 'hungupurl', 'muteurl', 'unmuteurl', 'holdurl', 'unholdurl', 'keypressurl'].map((n) => [n, `https://pbx.example.com/${n}`]),
    );
    const res = await c2c()
      .send({
        clicktocallurl: 'https://pbx.example.com/c2c',
        ...urls,
        authorizationparam: '{ name:authorization, value:TOKEN-123}',
        clicktocallparam: '[{name:pbxuserid,value:pbxuser1234}, {name:emailaddress,value:xyz@pbx.com}]',
        callcontrolparam: '[{"name":"tenant","value":"acme"}]',
      })
      .expect(200);
    expect(res.body).toMatchObject({ code: 'SUCCESS', status: 'success' });
    const org = licensedOrg(t.store);
    const adminId = t.world.tokens[TOKENS.admin]!.userId;
    expect(org.clickToCall[adminId]).toMatchObject({
      clicktocallurl: 'https://pbx.example.com/c2c',
      ...urls,
      authorizationparam: { name: 'authorization', value: 'TOKEN-123' },
      clicktocallparam: [
        { name: 'pbxuserid', value: 'pbxuser1234' },
        { name: 'emailaddress', value: 'xyz@pbx.com' },
      ],
      callcontrolparam: [{ name: 'tenant', value: 'acme' }],
    });
  });

  it('POST with a JSON body may carry the pairs as objects', async () => {
    await t.http
      .post(`${BASE}/clicktocallandcallcontrol`)
      .set(admin)
      .send({
        clicktocallurl: 'https://pbx.example.com/c2c',
        authorizationparam: { name: 'Authorization', value: 'x' },
        clicktocallparam: [{ name: 'a', value: 'b' }],
      })
      .expect(200);
    const registration = Object.values(licensedOrg(t.store).clickToCall)[0]!;
    expect(registration.authorizationparam).toEqual({ name: 'Authorization', value: 'x' });
    expect(registration.clicktocallparam).toEqual([{ name: 'a', value: 'b' }]);
  });

  it('POST with every parameter in the query string and an empty body -> 200', async () => {
    await t.http
      .post(`${BASE}/clicktocallandcallcontrol`)
      .set(admin)
      .query({ clicktocallurl: 'https://pbx.example.com/q', authorizationparam: '{name:a,value:b}' })
      .expect(200);
    expect(Object.values(licensedOrg(t.store).clickToCall)[0]!.clicktocallurl).toBe('https://pbx.example.com/q');
  });

  it('GET with every parameter in the query string enables it too (alias real clients use)', async () => {
    const res = await t.http
      .get(`${BASE}/clicktocallandcallcontrol`)
      .set(admin)
      .query({ clicktocallurl: 'https://pbx.example.com/get', answerurl: 'https://pbx.example.com/answer' })
      .expect(200);
    expect(res.body.code).toBe('SUCCESS');
    expect(Object.values(licensedOrg(t.store).clickToCall)[0]).toMatchObject({
      clicktocallurl: 'https://pbx.example.com/get',
      answerurl: 'https://pbx.example.com/answer',
    });
  });

  it('userid as a comma-joined list registers each user', async () => {
    const ids = licensedOrg(t.store)
      .users.filter((u) => u.active)
      .slice(0, 3)
      .map((u) => u.id);
    await c2c()
      .send({ clicktocallurl: 'https://pbx.example.com/c2c', userid: ids.join(', ') })
      .expect(200);
    expect(Object.keys(licensedOrg(t.store).clickToCall).sort()).toEqual([...ids].sort());
  });

  it('-> 400 REQUIRED_PARAM_MISSING naming clicktocallurl', async () => {
    const res = await c2c().send({ answerurl: 'https://pbx.example.com/a' }).expect(400);
    expect(res.body).toEqual({ code: 'REQUIRED_PARAM_MISSING', details: { param: 'clicktocallurl' }, message: expect.any(String), status: 'error' });
  });

  it.each([
    ['clicktocallurl', { clicktocallurl: 'not a url' }],
    ['clicktocallurl', { clicktocallurl: 'ftp://pbx.example.com/c2c' }],
    ['clicktocallurl', { clicktocallurl: 'http://' }],
    ['clicktocallurl', { clicktocallurl: 'http://:80/' }],
    ['holdurl', { clicktocallurl: 'https://pbx.example.com/c2c', holdurl: 'hold' }],
    ['authorizationparam', { clicktocallurl: 'https://pbx.example.com/c2c', authorizationparam: '{name:a' }],
    ['authorizationparam', { clicktocallurl: 'https://pbx.example.com/c2c', authorizationparam: '[{name:a,value:b},{name:c,value:d}]' }],
    ['clicktocallparam', { clicktocallurl: 'https://pbx.example.com/c2c', clicktocallparam: '[{value:only}]' }],
    ['callcontrolparam', { clicktocallurl: 'https://pbx.example.com/c2c', callcontrolparam: 'just text' }],
  ])('-> 400 INVALID_DATA naming %s', async (param, form) => {
    const res = await c2c().send(form).expect(400);
    expect(res.body).toMatchObject({ code: 'INVALID_DATA', details: { param } });
  });

  it('a malformed parameter is reported before license and integration checks', async () => {
    const res = await t.http
      .post(`${BASE}/clicktocallandcallcontrol`)
      .set(auth(TOKENS.freeedition))
      .type('form')
      .send({ clicktocallurl: 'https://pbx.example.com/c2c', authorizationparam: 'garbage' })
      .expect(400);
    expect(res.body).toMatchObject({ code: 'INVALID_DATA', details: { param: 'authorizationparam' } });
  });

  it('a malformed request leaves the stored registration as it was', async () => {
    await c2c().send({ clicktocallurl: 'https://pbx.example.com/first' }).expect(200);
    await c2c().send({ clicktocallurl: 'https://pbx.example.com/second', clicktocallparam: '[{name:x' }).expect(400);
    expect(Object.values(licensedOrg(t.store).clickToCall)[0]!.clicktocallurl).toBe('https://pbx.example.com/first');
  });

  it.each([
    ['an unknown user', '1234567890123456789'],
    ['an inactive user', 'inactive'],
  ])('-> 400 INVALID_USER for %s', async (_title, who) => {
    const org = licensedOrg(t.store);
    const userid = who === 'inactive' ? org.users.find((u) => !u.active)!.id : who;
    const res = await c2c().send({ clicktocallurl: 'https://pbx.example.com/c2c', userid }).expect(400);
    expect(res.body).toMatchObject({ code: 'INVALID_USER', details: {} });
    expect(org.clickToCall).toEqual({});
  });

  it('a standard user may enable click-to-call for themselves', async () => {
    await t.http
      .post(`${BASE}/clicktocallandcallcontrol`)
      .set(auth(TOKENS.user))
      .type('form')
      .send({ clicktocallurl: 'https://pbx.example.com/c2c' })
      .expect(200);
    expect(Object.keys(licensedOrg(t.store).clickToCall)).toEqual([t.world.tokens[TOKENS.user]!.userId]);
  });

  it.each([
    ['sending call-control URLs', { answerurl: 'https://pbx.example.com/a' }],
    ['naming another user', { userid: 'admin' }],
  ])('a standard user %s -> 403 NO_PERMISSION', async (_title, extra) => {
    const form: Record<string, string> = { clicktocallurl: 'https://pbx.example.com/c2c', ...extra };
    if (form.userid === 'admin') form.userid = t.world.tokens[TOKENS.admin]!.userId;
    const res = await t.http.post(`${BASE}/clicktocallandcallcontrol`).set(auth(TOKENS.user)).type('form').send(form).expect(403);
    expect(res.body.code).toBe('NO_PERMISSION');
  });

  it('DELETE clears every registration of the org', async () => {
    await c2c().send({ clicktocallurl: 'https://pbx.example.com/c2c' }).expect(200);
    const res = await t.http.delete(`${BASE}/clicktocallandcallcontrol`).set(admin).expect(200);
    expect(res.body.code).toBe('SUCCESS');
    expect(licensedOrg(t.store).clickToCall).toEqual({});
  });

  it('DELETE by a standard user -> 403 NO_PERMISSION', async () => {
    const res = await t.http.delete(`${BASE}/clicktocallandcallcontrol`).set(auth(TOKENS.user)).expect(403);
    expect(res.body.code).toBe('NO_PERMISSION');
  });
});

describe('call events: validation', () => {
  beforeEach(integrate);

  const REQUIRED: [string, string, Record<string, string>][] = [];
  for (const op of OPERATIONS.filter((o) => o.method === 'post' && !o.path.startsWith('/click'))) {
    for (const param of Object.keys(op.form ?? {})) {
      const form: Record<string, string> = { ...op.form };
      delete form[param];
      REQUIRED.push([op.path, param, form]);
    }
  }

  it.each(REQUIRED)('POST %s -> 400 REQUIRED_PARAM_MISSING when %s is missing', async (path, param, form) => {
    await t.http.post(`${BASE}/callreceived`).set(admin).type('form').send(INBOUND); // so voiceurl knows call-1
    const res = await t.http.post(`${BASE}${path}`).set(admin).type('form').send(form).expect(400);
    expect(res.body).toEqual({ code: 'REQUIRED_PARAM_MISSING', details: { param }, message: 'One of the expected parameter is missing', status: 'error' });
  });

  it('an empty value counts as missing', async () => {
    const res = await t.http
      .post(`${BASE}/callreceived`)
      .set(admin)
      .type('form')
      .send({ ...INBOUND, fromnumber: '' })
      .expect(400);
    expect(res.body.details).toEqual({ param: 'fromnumber' });
  });

  it.each([
    ['/callhungup', 'direction', { ...HUNGUP, direction: 'sideways' }],
    ['/callhungup', 'duration', { ...HUNGUP, duration: 'abc' }],
    ['/callhungup', 'duration', { ...HUNGUP, duration: '-1' }],
    ['/callhungup', 'duration', { ...HUNGUP, duration: '1.5' }],
    ['/callhungup', 'callstarttime', { ...HUNGUP, callstarttime: '2016-09-20T15:09:10' }],
    ['/callhungup', 'callstarttime', { ...HUNGUP, callstarttime: '2016-13-20 15:09:10' }],
    ['/callhungup', 'callstarttime', { ...HUNGUP, callstarttime: '20-09-2016 15:09' }],
    ['/callhungup', 'callstarttime', { ...HUNGUP, callstarttime: '2026-02-30 10:00:00' }],
    ['/callhungup', 'duration', { ...HUNGUP, duration: '99999999999999999999999' }],
    ['/callhungup', 'voiceurl', { ...HUNGUP, voiceurl: 'recording.mp3' }],
    ['/callmissed', 'callmissedtime', { ...INBOUND, callmissedtime: 'yesterday' }],
    ['/callmissed', 'sequential', { ...INBOUND, callmissedtime: '2026-11-26 10:00:00', sequential: 'maybe' }],
    ['/calldialed', 'customerstatus', { ...INBOUND, customerstatus: 'happy' }],
    ['/calldialed', 'agentstatus', { ...INBOUND, customerstatus: 'success', agentstatus: 'asleep' }],
  ])('POST %s -> 400 INVALID_DATA naming %s', async (path, param, form) => {
    const res = await t.http.post(`${BASE}${path}`).set(admin).type('form').send(form).expect(400);
    expect(res.body).toMatchObject({ code: 'INVALID_DATA', details: { param }, status: 'error' });
  });

  it('a rejected event changes nothing stored', async () => {
    await t.http
      .post(`${BASE}/callhungup`)
      .set(admin)
      .type('form')
      .send({ ...HUNGUP, duration: 'abc' })
      .expect(400);
    expect(licensedOrg(t.store).calls).toEqual({});
    expect(licensedOrg(t.store).activities).toEqual({});
  });
});

describe('call events: caller look-up', () => {
  beforeEach(integrate);

  it.each([
    ['the reference form', '0018885554567'],
    ['international with +', '+18885554567'],
    ['with spaces and dashes', '+1 888-555-4567'],
    ['a leading space (un-encoded +)', ' 18885554567'],
    ['the national number', '8885554567'],
    ['the national number with dots and brackets', '(888) 555.4567'],
  ])('POST /callreceived matches the reference Contact from %s', async (_title, fromnumber) => {
    const res = await t.http
      .post(`${BASE}/callreceived`)
      .set(admin)
      .type('form')
      .send({ ...INBOUND, fromnumber })
      .expect(200);
    expect(res.body.data).toHaveLength(1);
    expect(res.body.data[0]).toMatchObject({
      Name: 'Jane Smith',
      Module: 'Contacts',
      'Company/Account': 'Smith Logistics',
      Phone: '0018885554567',
      Department: 'Purchasing',
    });
    expect((res.body.data[0].Potential as { Name: string }[]).map((p) => p.Name)).toEqual(['Smith Logistics - fleet phones', 'Smith Logistics - call centre']);
  });

  it('a raw form body with an un-encoded + still matches', async () => {
    const res = await t.http
      .post(`${BASE}/callreceived`)
      .set(admin)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('callrefid=raw-1&fromnumber=+18885554567&tonumber=100')
      .expect(200);
    expect(res.body.data[0].Name).toBe('Jane Smith');
  });

  it('success bodies carry data and never a status key', async () => {
    const res = await t.http.post(`${BASE}/callreceived`).set(admin).type('form').send(INBOUND).expect(200);
    expect(Object.keys(res.body)).toEqual(['data']);
  });

  it('POST /callanswered answers {Name, Id, Module} only', async () => {
    const res = await t.http.post(`${BASE}/callanswered`).set(admin).type('form').send(INBOUND).expect(200);
    expect(res.body).toEqual({ data: [{ Name: 'Jane Smith', Id: expect.stringMatching(/^\d{19}$/), Module: 'Contacts' }] });
  });

  it('an unknown caller -> 200 {"data": []}, and the call is still logged', async () => {
    const res = await t.http
      .post(`${BASE}/callreceived`)
      .set(admin)
      .type('form')
      .send({ ...INBOUND, fromnumber: '+999 555 000 111' })
      .expect(200);
    expect(res.body).toEqual({ data: [] });
    expect(licensedOrg(t.store).calls['call-1']).toMatchObject({ record: null, state: 'ringing' });
  });

  it('an internal extension matches nothing but itself', async () => {
    const res = await t.http
      .post(`${BASE}/callreceived`)
      .set(admin)
      .type('form')
      .send({ ...INBOUND, fromnumber: '4567' })
      .expect(200);
    expect(res.body.data).toEqual([]);
  });

  it('a Lead and an Account are found with their documented fields', async () => {
    const org = licensedOrg(t.store);
    const lead = org.crm.leads.find((l) => l.phone)!;
    const account = org.crm.accounts[0]!;
    const leadRes = await t.http
      .post(`${BASE}/callreceived`)
      .set(admin)
      .type('form')
      .send({ ...INBOUND, fromnumber: lead.phone! })
      .expect(200);
    expect(leadRes.body.data[0]).toMatchObject({ Module: 'Leads', Id: lead.id, Name: lead.name, 'Company/Account': lead.company, Department: null });
    expect(leadRes.body.data[0]).not.toHaveProperty('Potential');
    const accountRes = await t.http
      .post(`${BASE}/callreceived`)
      .set(admin)
      .type('form')
      .send({ ...INBOUND, fromnumber: account.phone! })
      .expect(200);
    expect(accountRes.body.data[0]).toMatchObject({ Module: 'Accounts', Id: account.id, 'Company/Account': account.name });
    expect(accountRes.body.data[0].Potential.length).toBeGreaterThanOrEqual(2);
  });

  it('POST /calldialed looks up the callee of an outbound call', async () => {
    const res = await t.http
      .post(`${BASE}/calldialed`)
      .set(admin)
      .type('form')
      .send({ callrefid: 'out-1', fromnumber: '100', tonumber: '+18885554567', customerstatus: 'inprogress' })
      .expect(200);
    expect(res.body.data[0]).toMatchObject({ Name: 'Jane Smith', Module: 'Contacts' });
  });
});

describe('call events: call log and activities', () => {
  beforeEach(integrate);
  const post = (path: string, form: Record<string, string>) => t.http.post(`${BASE}${path}`).set(admin).type('form').send(form).expect(200);

  it('received -> answered -> hungup is one call with its history and a call activity', async () => {
    const user = licensedOrg(t.store).users.find((u) => u.role === 'standard')!;
    await post('/callreceived', { ...INBOUND, userid: user.id });
    t.clock.set('2026-11-26T12:00:05Z');
    await post('/callanswered', { ...INBOUND, userid: user.id });
    await post('/callhungup', { ...HUNGUP, userid: user.id, voiceurl: 'https://pbx.example.com/rec/1.mp3', desc: 'Asked about fleet phones' });
    const org = licensedOrg(t.store);
    const log = org.calls['call-1']!;
    expect(log.events.map((e) => e.type)).toEqual(['received', 'answered', 'hungup']);
    expect(log.events[1]!.at).toBe('2026-11-26T12:00:05.000Z');
    expect(log).toMatchObject({
      state: 'ended',
      direction: 'inbound',
      userId: user.id,
      voiceurl: 'https://pbx.example.com/rec/1.mp3',
      record: { module: 'Contacts', name: 'Jane Smith' },
    });
    expect(org.activities[log.activityId!]).toMatchObject({
      kind: 'call',
      direction: 'inbound',
      startTime: '2026-11-26T10:00:00Z',
      durationSeconds: 42,
      voiceurl: 'https://pbx.example.com/rec/1.mp3',
      description: 'Asked about fleet phones',
      ownerId: user.id,
      record: { module: 'Contacts', name: 'Jane Smith' },
    });
  });

  it('callhungup reported twice updates the one activity', async () => {
    await post('/callhungup', HUNGUP);
    await post('/callhungup', { ...HUNGUP, duration: '50' });
    const activities = Object.values(licensedOrg(t.store).activities);
    expect(activities).toHaveLength(1);
    expect(activities[0]!.durationSeconds).toBe(50);
  });

  it('an unknown userid is kept out of ownership: the token user owns the activity', async () => {
    await post('/callhungup', { ...HUNGUP, userid: '9999999999999999999' });
    const activity = Object.values(licensedOrg(t.store).activities)[0]!;
    expect(activity.ownerId).toBe(t.world.tokens[TOKENS.admin]!.userId);
  });

  it('callmissed stores a missed-call activity with the voicemail', async () => {
    await post('/callmissed', { ...INBOUND, callmissedtime: '2026-11-26 09:30:00', voicemailurl: 'https://pbx.example.com/vm/1.wav' });
    const log = licensedOrg(t.store).calls['call-1']!;
    expect(log.state).toBe('missed');
    expect(licensedOrg(t.store).activities[log.activityId!]).toMatchObject({
      kind: 'missed',
      startTime: '2026-11-26T09:30:00Z',
      voiceurl: 'https://pbx.example.com/vm/1.wav',
    });
  });

  it.each(['TRUE', 'True', '1'])('callmissed with sequential=%s reads as true', async (sequential) => {
    await post('/callmissed', { ...INBOUND, callmissedtime: '2026-11-26 09:30:00', sequential });
    expect(licensedOrg(t.store).activities).toEqual({});
  });

  it.each(['FALSE', '0'])('callmissed with sequential=%s reads as false: a missed-call activity', async (sequential) => {
    await post('/callmissed', { ...INBOUND, callmissedtime: '2026-11-26 09:30:00', sequential });
    expect(Object.values(licensedOrg(t.store).activities)).toHaveLength(1);
  });

  it('callmissed with sequential=true logs the event without an activity', async () => {
    await post('/callmissed', { ...INBOUND, callmissedtime: '2026-11-26 09:30:00', sequential: 'true' });
    expect(licensedOrg(t.store).calls['call-1']!.events).toHaveLength(1);
    expect(licensedOrg(t.store).activities).toEqual({});
  });

  it.each([
    ['success', 'answered'],
    ['inprogress', 'answered'],
    ['busy', 'ended'],
    ['noanswer', 'ended'],
  ])('calldialed with customerstatus=%s leaves the outbound call %s', async (customerstatus, state) => {
    await post('/calldialed', { callrefid: 'out-1', fromnumber: '100', tonumber: '0018885554567', customerstatus, agentstatus: 'success' });
    expect(licensedOrg(t.store).calls['out-1']).toMatchObject({ direction: 'outbound', state, record: { name: 'Jane Smith' } });
  });

  it('transfercallrefid links the two calls both ways', async () => {
    await post('/callreceived', INBOUND);
    await post('/callreceived', { ...INBOUND, callrefid: 'call-2', transfercallrefid: 'call-1' });
    const { calls } = licensedOrg(t.store);
    expect(calls['call-2']!.transferredFrom).toBe('call-1');
    expect(calls['call-1']!.transferredTo).toEqual(['call-2']);
  });

  it('an outbound hang-up records the outbound direction', async () => {
    await post('/callhungup', { ...HUNGUP, callrefid: 'out-9', fromnumber: '100', tonumber: '0018885554567', direction: 'outbound' });
    const log = licensedOrg(t.store).calls['out-9']!;
    expect(log).toMatchObject({ direction: 'outbound', record: { name: 'Jane Smith' } });
  });
});

describe('parameter placements', () => {
  beforeEach(integrate);

  it('POST with every parameter in the query string and an empty body', async () => {
    const res = await t.http.post(`${BASE}/callhungup`).set(admin).query(HUNGUP).expect(200);
    expect(res.body.data[0].Name).toBe('Jane Smith');
  });

  it('a JSON body, with numbers where the form has strings', async () => {
    await t.http
      .post(`${BASE}/callhungup`)
      .set(admin)
      .send({ ...HUNGUP, duration: 42 })
      .expect(200);
    expect(Object.values(licensedOrg(t.store).activities)[0]!.durationSeconds).toBe(42);
  });

  it('a body field wins over the same field in the query string', async () => {
    await t.http.post(`${BASE}/callhungup`).set(admin).query({ duration: 'abc' }).type('form').send(HUNGUP).expect(200);
  });

  it('a malformed JSON body is ignored: the fields it lacked are missing, and the server carries on', async () => {
    const res = await t.http.post(`${BASE}/callreceived`).set(admin).set('Content-Type', 'application/json').send('{"callrefid": ').expect(400);
    expect(res.body).toMatchObject({ code: 'REQUIRED_PARAM_MISSING', details: { param: 'callrefid' } });
    await t.http.post(`${BASE}/callreceived`).set(admin).type('form').send(INBOUND).expect(200);
  });

  it('an unreadable body does not get ahead of the token or the path', async () => {
    await t.http.post(`${BASE}/callreceived`).set('Content-Type', 'application/json').send('{"callrefid": ').expect(401);
    await t.http.post(`${BASE}/no-such-thing`).set(admin).set('Content-Type', 'application/json').send('{').expect(404);
  });

  it('a body nested thousands of levels deep is ignored, not a 500', async () => {
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const res = await t.http.post(`${BASE}/callreceived`).set(admin).set('Content-Type', 'application/json').send(deep).expect(400);
    expect(res.body.code).toBe('REQUIRED_PARAM_MISSING');
    const fine = await t.http
      .post(`${BASE}/callreceived`)
      .set(admin)
      .send({ ...INBOUND, note: { a: { b: 1 } } })
      .expect(200);
    expect(fine.body.data[0].Name).toBe('Jane Smith');
  });

  it('a form in an unknown charset is ignored, not a 500', async () => {
    const res = await t.http
      .post(`${BASE}/callreceived`)
      .set(admin)
      .set('Content-Type', 'application/x-www-form-urlencoded; charset=latin1')
      .send('callrefid=x')
      .expect(400);
    expect(res.body.code).toBe('REQUIRED_PARAM_MISSING');
  });

  it('unknown extra fields are ignored, and not stored', async () => {
    await t.http
      .post(`${BASE}/callreceived`)
      .set(admin)
      .send({ ...INBOUND, vendorfield: 'x', blob: { big: 'y'.repeat(1000) } })
      .expect(200);
    expect(Object.keys(licensedOrg(t.store).calls['call-1']!.events[0]!.params).sort()).toEqual(['callrefid', 'fromnumber', 'tonumber']);
  });

  it('HEAD answers like GET, without a body', async () => {
    const res = await t.http.head(`${BASE}/users`).set(admin).expect(200);
    expect(res.headers['content-type']).toBe('application/json;charset=utf-8');
    expect(res.text ?? '').toBe('');
  });
});

describe('users', () => {
  beforeEach(integrate);

  it('GET -> the active users with 19-digit ids', async () => {
    const res = await t.http.get(`${BASE}/users`).set(admin).expect(200);
    const active = licensedOrg(t.store).users.filter((u) => u.active);
    expect(res.body.users).toEqual(active.map((u) => ({ userid: u.id, username: u.name, email: u.email })));
    expect(res.body.users.length).toBeLessThan(licensedOrg(t.store).users.length);
    for (const user of res.body.users) expect(user.userid).toMatch(/^\d{19}$/);
  });

  it('a standard user may list them too', async () => {
    await t.http.get(`${BASE}/users`).set(auth(TOKENS.user)).expect(200);
  });
});

describe('voiceurl', () => {
  beforeEach(integrate);

  it('attaches the recording to a reported call and its activity', async () => {
    await t.http.post(`${BASE}/callhungup`).set(admin).type('form').send(HUNGUP).expect(200);
    const res = await t.http
      .post(`${BASE}/voiceurl`)
      .set(admin)
      .type('form')
      .send({ callrefid: 'call-1', voiceurl: 'https://pbx.example.com/rec/late.mp3' })
      .expect(200);
    expect(res.body).toEqual({ status: 'success', code: 'SUCCESS' });
    const log = licensedOrg(t.store).calls['call-1']!;
    expect(log.voiceurl).toBe('https://pbx.example.com/rec/late.mp3');
    expect(licensedOrg(t.store).activities[log.activityId!]!.voiceurl).toBe('https://pbx.example.com/rec/late.mp3');
  });

  it('an unknown callrefid -> 400 INVALID_DATA naming callrefid', async () => {
    const res = await t.http
      .post(`${BASE}/voiceurl`)
      .set(admin)
      .type('form')
      .send({ callrefid: 'never-reported', voiceurl: 'https://pbx.example.com/rec/x.mp3' })
      .expect(400);
    expect(res.body).toMatchObject({ code: 'INVALID_DATA', details: { param: 'callrefid' } });
  });
});

describe('callerdetails', () => {
  beforeEach(integrate);

  it('a known number -> 200 with the full records', async () => {
    const res = await t.http.get(`${BASE}/callerdetails`).set(admin).query({ phonenumber: '+1 888 555 4567' }).expect(200);
    expect(res.body.data[0]).toMatchObject({ Name: 'Jane Smith', Module: 'Contacts', Email: 'jane.smith@example.com' });
  });

  it('an unknown number -> 204, empty body, JSON content type as Zoho sends', async () => {
    const res = await t.http.get(`${BASE}/callerdetails`).set(admin).query({ phonenumber: '12345' }).expect(204);
    expect(res.text).toBe('');
    expect(res.headers['content-type']).toBe('application/json;charset=utf-8');
  });

  it('no phonenumber -> 400 REQUIRED_PARAM_MISSING', async () => {
    const res = await t.http.get(`${BASE}/callerdetails`).set(admin).expect(400);
    expect(res.body.details).toEqual({ param: 'phonenumber' });
  });
});

describe('routing and failures', () => {
  it('an unknown path -> 404 in the Zoho envelope', async () => {
    const res = await t.http.get(`${BASE}/nothing-here`).set(admin).expect(404);
    expect(res.body).toEqual({ code: 'INVALID_URL_PATTERN', details: {}, message: expect.any(String), status: 'error' });
  });

  it.each([
    ['put', '/users', 'GET'],
    ['get', '/integrate', 'POST, DELETE'],
    ['put', '/clicktocallandcallcontrol', 'GET, POST, DELETE'],
    ['get', '/callreceived', 'POST'],
  ] as const)('%s %s -> 405 with Allow: %s', async (method, path, allow) => {
    const res = await t.http[method](`${BASE}${path}`).set(admin).expect(405);
    expect(res.body).toMatchObject({ code: 'INVALID_REQUEST_METHOD', status: 'error' });
    expect(res.headers.allow).toBe(allow);
  });

  it('an unexpected failure -> 500 INTERNAL_ERROR without a stack trace, and it is logged', async () => {
    await integrate();
    (licensedOrg(t.store) as { calls: unknown }).calls = null;
    const res = await t.http.post(`${BASE}/callreceived`).set(admin).type('form').send(INBOUND).expect(500);
    expect(res.body).toEqual({ code: 'INTERNAL_ERROR', details: {}, message: 'Internal server error', status: 'error' });
    expect(res.text).not.toMatch(/at .*\.ts/);
    expect(t.errors).toHaveLength(1);
  });

  it.each(['__proto__', 'constructor', 'toString'])('a callrefid named %s is an ordinary id, and the server carries on', async (callrefid) => {
    await integrate();
    await t.http
      .post(`${BASE}/callreceived`)
      .set(admin)
      .type('form')
      .send({ ...INBOUND, callrefid })
      .expect(200);
    await t.http.post(`${BASE}/voiceurl`).set(admin).type('form').send({ callrefid, voiceurl: 'https://pbx.example.com/r.mp3' }).expect(200);
    expect(Object.keys(licensedOrg(t.store).calls)).toEqual([callrefid]);
    expect(({} as Record<string, unknown>).callrefid).toBeUndefined();
    await t.http.get(`${BASE}/users`).set(admin).expect(200);
  });

  it('voiceurl for a callrefid named after an Object member that was never reported -> 400', async () => {
    await integrate();
    const res = await t.http
      .post(`${BASE}/voiceurl`)
      .set(admin)
      .type('form')
      .send({ callrefid: 'hasOwnProperty', voiceurl: 'https://pbx.example.com/r.mp3' })
      .expect(400);
    expect(res.body.details).toEqual({ param: 'callrefid' });
  });

  it('Prefer selects another documented status with its example', async () => {
    const res = await t.http.post(`${BASE}/callreceived`).set(admin).set('Prefer', 'code=403').expect(403);
    expect(res.body.code).toBe('NO_PERMISSION');
  });

  it('Prefer does not stand in for a token: without one the answer is 401, unless 401 is what was asked', async () => {
    const res = await t.http.get(`${BASE}/users`).set('Prefer', 'code=200').expect(401);
    expect(res.body.code).toBe('INVALID_TOKEN');
    await t.http.get(`${BASE}/users`).set('Prefer', 'code=401').expect(401);
    await t.http.get(`${BASE}/users`).set(auth(TOKENS.expired)).set('Prefer', 'code=500').expect(401);
  });

  it('Prefer with an undeclared status is ignored, and says so', async () => {
    await integrate();
    const res = await t.http.get(`${BASE}/users`).set(admin).set('Prefer', 'code=418').expect(200);
    expect(res.headers['preference-applied']).toBe('none');
  });

  it('the document is served as YAML and JSON', async () => {
    const yaml = await t.http.get('/openapi.yaml').expect(200);
    expect(yaml.text).toMatch(/^openapi: 3\.0\.3/);
    const json = await t.http.get('/openapi.json').expect(200);
    expect(json.body.paths).toHaveProperty(['/crm/v2/phonebridge/callreceived']);
  });
});
