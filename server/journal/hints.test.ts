import { describe, expect, it } from 'vitest';
import { loadDocument } from '../openapi/documents.js';
import { createHinter, distance, type HintInput } from './hints.js';

const hints = createHinter([loadDocument('phonebridge.yaml').document, loadDocument('accounts.yaml').document]);
const NOW = new Date('2026-11-26T12:00:00Z');
const BASE = '/crm/v2/phonebridge';
const FORM = { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Zoho-oauthtoken 1000.admin.mockpbx' };
const JSON_HEADERS = { ...FORM, 'content-type': 'application/json' };
const CALL = { callrefid: 'call-1', fromnumber: '+18885554567', tonumber: '100', userid: '3235140000000152002' };
const HUNGUP = { ...CALL, direction: 'inbound', callstarttime: '2026-11-26 11:59:00', duration: '60' };

type Request = Partial<HintInput> & { fields?: Record<string, string> };

/** A request as the journal sees it: by default a correct callreceived, its form body encoded from `fields`. */
function request({ fields = CALL, ...rest }: Request): HintInput {
  return {
    method: 'POST',
    path: `${BASE}/callreceived`,
    query: {},
    headers: FORM,
    rawBody: new URLSearchParams(fields).toString(),
    body: fields,
    operationId: 'callReceived',
    status: 200,
    now: NOW,
    ...rest,
  };
}
const hungup = (fields: Record<string, string>) => request({ path: `${BASE}/callhungup`, operationId: 'callHungUp', fields: { ...HUNGUP, ...fields } });
const json = (value: unknown): Request => ({ headers: JSON_HEADERS, rawBody: JSON.stringify(value), body: value });
const get = (path: string, operationId: string | undefined, query: Record<string, unknown> = {}): HintInput =>
  request({ method: 'GET', path, operationId, query, rawBody: undefined, body: undefined, headers: { authorization: FORM.authorization } });
const unmatched = (path: string, method = 'POST') => hints(request({ method, path, operationId: undefined, status: 404 }));
const codes = (input: HintInput) => hints(input).map((h) => h.code);

describe('hints of a correct request', () => {
  it('a fully correct callreceived form request gets none', () => {
    expect(hints(request({}))).toEqual([]);
  });

  it('correct requests of other operations, as form, JSON, query string or no body, get none', () => {
    expect(hints(request(json(CALL)))).toEqual([]);
    expect(hints(request({ query: CALL, rawBody: undefined, body: undefined }))).toEqual([]);
    expect(hints(hungup({}))).toEqual([]);
    expect(hints(hungup({ direction: 'outbound', callstarttime: '2026-11-26 12:00:45', duration: '0' }))).toEqual([]);
    expect(hints(request({ path: `${BASE}/callmissed`, operationId: 'callMissed', fields: { ...CALL, callmissedtime: '2026-11-20 08:00:00' } }))).toEqual([]);
    expect(
      hints(request({ path: `${BASE}/calldialed`, operationId: 'callDialed', fields: { ...CALL, customerstatus: 'noanswer', agentstatus: 'busy' } })),
    ).toEqual([]);
    expect(hints(request({ method: 'DELETE', path: `${BASE}/integrate`, operationId: 'disableIntegration', rawBody: undefined, body: undefined }))).toEqual([]);
    expect(hints(get(`${BASE}/users`, 'listUsers'))).toEqual([]);
    expect(hints(get(`${BASE}/callerdetails`, 'getCallerDetails', { phonenumber: '0018885554567' }))).toEqual([]);
    const code = { grant_type: 'authorization_code', code: '1000.x', client_id: 'c', client_secret: 's', redirect_uri: 'http://127.0.0.1:8080/callback' };
    expect(hints(request({ path: '/oauth/v2/token', operationId: 'token', headers: { 'content-type': FORM['content-type'] }, fields: code }))).toEqual([]);
    const authorize = {
      response_type: 'code',
      client_id: 'c',
      scope: 'ZohoCRM.crmphonebridge.ALL',
      redirect_uri: 'http://x',
      access_type: 'offline',
      state: 's',
    };
    expect(hints(get('/oauth/v2/auth', 'authorize', authorize))).toEqual([]);
  });
});

describe('bearer-scheme', () => {
  it('Authorization: Bearer on a PhoneBridge path, matched or not', () => {
    const [hint, ...rest] = hints(request({ headers: { ...FORM, authorization: 'Bearer 1000.abc' }, status: 401 }));
    expect(rest).toEqual([]);
    expect(hint).toMatchObject({ code: 'bearer-scheme', message: expect.stringContaining('Zoho-oauthtoken <access token>') as string });
    expect(codes(request({ headers: { ...FORM, authorization: 'bearer x' }, path: `${BASE}/nowhere`, operationId: undefined, status: 404 }))).toEqual([
      'bearer-scheme',
    ]);
  });

  it('none for Zoho-oauthtoken, nor off the CRM API (the accounts server takes no token header)', () => {
    expect(hints(request({ headers: { ...FORM, authorization: 'Zoho-oauthtoken 1000.abc' } }))).toEqual([]);
    expect(
      hints(request({ path: '/oauth/v2/token/revoke', operationId: 'revokeToken', headers: { ...FORM, authorization: 'Bearer x' }, fields: { token: 't' } })),
    ).toEqual([]);
  });
});

describe('token-in-query', () => {
  it('authtoken=, access_token= or oauthtoken= in the query string, named', () => {
    expect(hints(request({ query: { authtoken: 'x' } }))).toEqual([expect.objectContaining({ code: 'token-in-query', field: 'authtoken' })]);
    expect(hints(request({ query: { access_token: 'x' } }))[0]!.message).toContain('access_token=');
    expect(codes(get(`${BASE}/users`, 'listUsers', { OAuthToken: 'x' }))).toEqual(['token-in-query']);
  });

  it('none for fields in the query string, nor for the revoke endpoint whose field is the token', () => {
    expect(hints(request({ query: { callrefid: 'call-1' } }))).toEqual([]);
    expect(hints(request({ path: '/oauth/v2/token/revoke', operationId: 'revokeToken', query: { token: 't' }, rawBody: undefined, body: undefined }))).toEqual(
      [],
    );
  });
});

describe('json-as-form, form-as-json and no-content-type', () => {
  it('json-as-form: a JSON body under a form Content-Type (parsed as one odd field name)', () => {
    const text = JSON.stringify(CALL);
    const [hint] = hints(request({ rawBody: text, body: { [text]: '' } }));
    expect(hint).toMatchObject({ code: 'json-as-form', message: expect.stringContaining('application/json') as string });
  });

  it('form-as-json: a form body under a JSON Content-Type, or JSON to an operation that takes only a form', () => {
    const [hint] = hints(request({ headers: JSON_HEADERS, body: undefined }));
    expect(hint).toMatchObject({ code: 'form-as-json', message: expect.stringContaining('application/x-www-form-urlencoded') as string });
    const token = hints(request({ path: '/oauth/v2/token', operationId: 'token', ...json({ grant_type: 'refresh_token', refresh_token: 'r' }) }));
    expect(token).toEqual([expect.objectContaining({ code: 'form-as-json', message: expect.stringContaining('token takes its fields as a form') as string })]);
  });

  it('no-content-type: a body without Content-Type is not read; the type its shape suggests is named', () => {
    expect(hints(request({ headers: { authorization: FORM.authorization }, body: undefined }))).toEqual([
      expect.objectContaining({ code: 'no-content-type', message: expect.stringContaining('application/x-www-form-urlencoded') as string }),
    ]);
    expect(hints(request({ ...json(CALL), headers: { authorization: FORM.authorization }, body: undefined }))[0]!.message).toContain('application/json');
  });

  it('none when the Content-Type says what the body is, or there is no body', () => {
    expect(hints(request({}))).toEqual([]);
    expect(hints(request(json(CALL)))).toEqual([]);
    expect(hints(request({ headers: { ...FORM, 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' } }))).toEqual([]);
    expect(hints(request({ headers: { authorization: FORM.authorization }, rawBody: '', body: undefined, query: CALL }))).toEqual([]);
  });
});

describe('unknown-field', () => {
  it('a field close to a declared one, in the body or the query string, names both', () => {
    const [hint] = hints(request({ fields: { ...CALL, callrefId: 'x' } }));
    expect(hint).toMatchObject({ code: 'unknown-field', field: 'callrefId' });
    expect(hint!.message).toBe('callrefId is not a field of callReceived; did you mean callrefid? (field names are case-sensitive)');
    expect(hints(request({ fields: { ...CALL, fromNumber: '1' } }))[0]!.message).toContain('did you mean fromnumber?');
    expect(hints(request({ fields: { ...CALL, tonumbr: '1' } }))[0]).toMatchObject({ code: 'unknown-field', field: 'tonumbr' });
    expect(hints(request({ query: { call_ref_id: 'x' } }))[0]!.message).toContain('did you mean callrefid?');
  });

  it('one hint per name, even when sent in both query string and body', () => {
    expect(codes(request({ query: { callRefId: 'x' }, fields: { ...CALL, callRefId: 'x' } }))).toEqual(['unknown-field']);
  });

  it('none for declared fields, extra fields like no declared one, or short words two edits apart (scope is not code)', () => {
    expect(hints(request({ fields: { ...CALL, pbxversion: '12', region: 'eu' } }))).toEqual([]);
    expect(hints(request({ query: { debug: '1' } }))).toEqual([]);
    const token = { grant_type: 'refresh_token', refresh_token: 'r', client_id: 'c', client_secret: 's', scope: 'ZohoCRM.crmphonebridge.ALL' };
    expect(hints(request({ path: '/oauth/v2/token', operationId: 'token', headers: { 'content-type': FORM['content-type'] }, fields: token }))).toEqual([]);
  });
});

describe('plus-as-space', () => {
  it('a number that arrived with a leading space, in a form body or a query string', () => {
    const [hint] = hints(request({ fields: { ...CALL, fromnumber: ' 18885554567' } }));
    expect(hint).toMatchObject({ code: 'plus-as-space', field: 'fromnumber' });
    expect(hint!.message).toContain('%2B18885554567');
    expect(hints(request({ query: { ...CALL, tonumber: ' 441234567890' }, rawBody: undefined, body: undefined }))[0]).toMatchObject({
      code: 'plus-as-space',
      field: 'tonumber',
    });
  });

  it('none for a number with its +, or a JSON body (where + needs no encoding)', () => {
    expect(hints(request({ fields: { ...CALL, fromnumber: '+18885554567' } }))).toEqual([]);
    expect(hints(request(json({ ...CALL, fromnumber: ' 18885554567' })))).toEqual([]);
  });
});

describe('path-close', () => {
  it('names the real path of a misspelt, misversioned, v3, miscased, .json or prefixless path', () => {
    const [typo] = unmatched(`${BASE}/callrecieved`);
    expect(typo).toMatchObject({ code: 'path-close', message: expect.stringContaining(`did you mean ${BASE}/callreceived?`) as string });
    expect(typo!.message).toContain('callrecieved misspelt');
    expect(unmatched('/crm/v3/phonebridge/callreceived')[0]!.message).toContain(`version v3, this mock serves v2); did you mean ${BASE}/callreceived?`);
    expect(unmatched('/phonebridge/v3/integrate')[0]!.message).toContain(`missing /crm); did you mean ${BASE}/integrate?`);
    expect(unmatched(`${BASE}/CallReceived`)[0]!.message).toContain('case-sensitive');
    expect(unmatched(`${BASE}/callhungup.json`)[0]!.message).toContain(`.json suffix); did you mean ${BASE}/callhungup?`);
    expect(unmatched('/v2/phonebridge/callmissed')[0]!.message).toContain('missing /crm');
    expect(unmatched('/oauth/v2/revoke')[0]!.message).toContain('did you mean /oauth/v2/token/revoke?');
  });

  it("a v3 callnotify names v2's call event paths; another v3 path names v2's base", () => {
    const [notify] = unmatched('/phonebridge/v3/callnotify');
    expect(notify).toMatchObject({ code: 'path-close', message: expect.stringContaining(`${BASE}/callreceived`) as string });
    expect(notify!.message).toContain(`${BASE}/callhungup`);
    expect(unmatched('/phonebridge/v3/somethingnew')[0]!.message).toContain('/crm/v2/phonebridge/');
  });

  it('none for a real path, a 405, or a path like no real one', () => {
    expect(hints(request({}))).toEqual([]);
    expect(hints(request({ method: 'PUT', operationId: undefined, status: 405 }))).toEqual([]);
    expect(unmatched('/totally/elsewhere')).toEqual([]);
    expect(unmatched('/foo/path')).toEqual([]);
    expect(unmatched('/crm/v2/Leads/search', 'GET')).toEqual([]);
  });
});

describe('datetime-format', () => {
  it('names what was sent and, when unambiguous, the same instant as Zoho wants it', () => {
    const [iso] = hints(hungup({ callstarttime: '2026-11-26T11:59:00Z' }));
    expect(iso).toMatchObject({ code: 'datetime-format', field: 'callstarttime' });
    expect(iso!.message).toBe(
      'callstarttime=2026-11-26T11:59:00Z is ISO 8601 (with a T and a zone); Zoho expects yyyy-MM-dd HH:mm:ss in GMT: 2026-11-26 11:59:00',
    );
    expect(hints(hungup({ callstarttime: '2026-11-26T17:29:00+05:30' }))[0]!.message).toContain(': 2026-11-26 11:59:00');
    expect(hints(hungup({ callstarttime: '1795694340000' }))[0]!.message).toContain('epoch milliseconds');
    expect(hints(hungup({ callstarttime: '1795694340' }))[0]!.message).toContain(': 2026-11-26 11:59:00');
    expect(hints(hungup({ callstarttime: '26/11/2026 11:59:00' }))[0]!.message).toContain('day or month first');
    expect(hints(hungup({ callstarttime: '2026-02-30 10:00:00' }))[0]!.message).toContain('no real date');
  });

  it('none for yyyy-MM-dd HH:mm:ss in the past', () => {
    expect(hints(hungup({ callstarttime: '2026-11-26 11:59:00' }))).toEqual([]);
    expect(hints(hungup({ callstarttime: '2016-09-20 15:09:10' }))).toEqual([]);
  });
});

describe('datetime-future', () => {
  it('a time ahead of the clock; a whole or half number of hours ahead suggests local time', () => {
    const [two] = hints(hungup({ callstarttime: '2026-11-26 14:00:00', duration: '0' }));
    expect(two).toMatchObject({ code: 'datetime-future', field: 'callstarttime' });
    expect(two!.message).toBe(
      "callstarttime=2026-11-26 14:00:00 is 2 h ahead of the mock's clock (2026-11-26 12:00:00 GMT): local time of a GMT+2:00 zone sent as GMT?",
    );
    // India: a 10-minute call's start, sent at its end in local time.
    expect(hints(hungup({ callstarttime: '2026-11-26 17:20:00', duration: '600' }))[0]!.message).toContain('GMT+5:30 zone');
    const [soon] = hints(hungup({ callstarttime: '2026-11-26 12:10:00' }));
    expect(soon).toMatchObject({ code: 'datetime-future', message: expect.stringContaining('10 min ahead') as string });
    expect(soon!.message).not.toContain('local time');
    expect(codes(request({ path: `${BASE}/callmissed`, operationId: 'callMissed', fields: { ...CALL, callmissedtime: '2026-11-26 13:00:00' } }))).toEqual([
      'datetime-future',
    ]);
  });

  it('none within a minute of the clock, or in the past', () => {
    expect(hints(hungup({ callstarttime: '2026-11-26 12:01:00' }))).toEqual([]);
    expect(hints(hungup({ callstarttime: '2026-11-26 10:00:00' }))).toEqual([]);
  });
});

describe('enum-close', () => {
  it('a value close to an allowed one (case, typo, PBX wording), naming the allowed values', () => {
    const [hint] = hints(hungup({ direction: 'Inbound' }));
    expect(hint).toEqual({
      code: 'enum-close',
      field: 'direction',
      message: 'direction=Inbound is not one of inbound, outbound; did you mean inbound? (values are case-sensitive)',
    });
    expect(hints(hungup({ direction: 'inboud' }))[0]!.message).toContain('did you mean inbound?');
    expect(hints(hungup({ direction: 'incomming' }))[0]!.message).toContain('did you mean inbound?');
    expect(hints(hungup({ direction: 'Outgoing' }))[0]!.message).toContain('did you mean outbound?');
    expect(codes(request({ path: `${BASE}/calldialed`, operationId: 'callDialed', fields: { ...CALL, customerstatus: 'no-answer' } }))).toEqual(['enum-close']);
  });

  it('none for an allowed value, or a far-off one (left to validation)', () => {
    expect(hints(hungup({ direction: 'outbound' }))).toEqual([]);
    expect(hints(hungup({ direction: 'sideways' }))).toEqual([]);
  });
});

describe('distance', () => {
  it.each([
    ['callrefid', 'callrefid', 0],
    ['callrefId', 'callrefid', 1],
    ['callrecieved', 'callreceived', 2],
    ['tonumbr', 'tonumber', 1],
    ['a', 'abcdefgh', 4],
  ])('%s -> %s: %i (capped)', (a, b, d) => {
    expect(Math.min(distance(a, b), 4)).toBe(d);
  });
});
