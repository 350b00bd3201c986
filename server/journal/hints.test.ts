import { describe, expect, it } from 'vitest';
import { loadDocument } from '../openapi/documents.js';
import { createHinter, distance, type HintInput } from './hints.js';

const hints = createHinter([loadDocument('phonebridge.yaml').document, loadDocument('accounts.yaml').document]);
const NOW = new Date('2026-11-26T12:00:00Z');
const BASE = '/crm/v2/phonebridge';
const FORM = { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Zoho-oauthtoken 1000.abc' };
const CALL = { callrefid: 'call-1', fromnumber: '+18885554567', tonumber: '100' };
const HUNGUP = { ...CALL, direction: 'inbound', callstarttime: '2026-11-26 11:59:00', duration: '60' };

/** A request as the journal sees it: a form body built from `body` unless given raw. */
function request(overrides: Partial<HintInput> & { fields?: Record<string, string> }): HintInput {
  const { fields = CALL, ...rest } = overrides;
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
const codes = (input: HintInput) => hints(input).map((h) => h.code);

describe('hints', () => {
  it('a correct callreceived, callhungup and users request get none', () => {
    expect(hints(request({}))).toEqual([]);
    expect(hints(request({ path: `${BASE}/callhungup`, operationId: 'callHungUp', fields: HUNGUP }))).toEqual([]);
    expect(
      hints(
        request({
          method: 'GET',
          path: `${BASE}/users`,
          operationId: 'listUsers',
          rawBody: undefined,
          body: undefined,
          headers: { authorization: 'Zoho-oauthtoken x' },
        }),
      ),
    ).toEqual([]);
  });

  it('bearer-scheme: Authorization: Bearer on a PhoneBridge path', () => {
    const [hint] = hints(request({ headers: { ...FORM, authorization: 'Bearer 1000.abc' }, status: 401, operationId: undefined }));
    expect(hint).toMatchObject({ code: 'bearer-scheme', message: expect.stringContaining('Zoho-oauthtoken') as string });
  });

  it('token-in-query: authtoken= or access_token= in the query string; other query fields are not tokens', () => {
    expect(codes(request({ query: { authtoken: 'x' } }))).toEqual(['token-in-query']);
    expect(hints(request({ query: { access_token: 'x' } }))[0]!.message).toContain('access_token=');
    expect(codes(request({ query: { callrefid: 'call-1' } }))).toEqual([]);
  });

  it('json-as-form and form-as-json: a body whose Content-Type says otherwise; no-content-type', () => {
    const json = JSON.stringify(CALL);
    expect(codes(request({ rawBody: json, body: { [json]: '' } }))).toEqual(['json-as-form']);
    expect(codes(request({ headers: { ...FORM, 'content-type': 'application/json' } }))).toContain('form-as-json');
    expect(codes(request({ headers: { authorization: 'Zoho-oauthtoken x' }, body: undefined }))).toEqual(['no-content-type']);
  });

  it('unknown-field: a field close to a declared one, named with what was meant; an unrelated extra field is left alone', () => {
    const [hint] = hints(request({ fields: { ...CALL, callrefId: 'x' } }));
    expect(hint).toMatchObject({ code: 'unknown-field', field: 'callrefId' });
    expect(hint!.message).toContain('did you mean callrefid');
    expect(codes(request({ fields: { ...CALL, tonumbr: '1' } }))).toEqual(['unknown-field']);
    expect(codes(request({ fields: { ...CALL, pbxversion: '12' } }))).toEqual([]);
  });

  it('plus-as-space: a number that arrived with a leading space', () => {
    const [hint] = hints(request({ fields: { ...CALL, fromnumber: ' 18885554567' } }));
    expect(hint).toMatchObject({ code: 'plus-as-space', field: 'fromnumber' });
    expect(hint!.message).toContain('%2B');
  });

  it('path-close: a misspelt operation, another version, a v3 path; a path like no real one gets none', () => {
    const unmatched = (path: string) => hints(request({ path, operationId: undefined, status: 404 }));
    expect(unmatched(`${BASE}/callrecieved`)[0]).toMatchObject({ code: 'path-close', message: expect.stringContaining(`${BASE}/callreceived`) as string });
    expect(unmatched('/crm/v3/phonebridge/callreceived')[0]!.code).toBe('path-close');
    expect(unmatched('/phonebridge/v3/callreceived')[0]!.message).toContain('v3');
    expect(unmatched(`${BASE}/CallReceived`)[0]!.code).toBe('path-close');
    expect(unmatched('/totally/elsewhere')).toEqual([]);
  });

  it('datetime-format: not yyyy-MM-dd HH:mm:ss; datetime-future: ahead of the clock, a whole number of hours suggesting local time', () => {
    const hungup = (callstarttime: string) =>
      hints(request({ path: `${BASE}/callhungup`, operationId: 'callHungUp', fields: { ...HUNGUP, callstarttime, duration: '0' } }));
    expect(hungup('2026-11-26T12:00:00Z')[0]).toMatchObject({ code: 'datetime-format', field: 'callstarttime' });
    expect(hungup('1764158400000')[0]!.code).toBe('datetime-format');
    const [future] = hungup('2026-11-26 14:00:00');
    expect(future).toMatchObject({ code: 'datetime-future' });
    expect(future!.message).toContain('2 h ahead');
    expect(hungup('2026-11-26 12:00:30')).toEqual([]);
  });

  it('enum-close: a value close to an allowed one, naming the allowed values; a far-off value is left to validation', () => {
    const hungup = (direction: string) => codes(request({ path: `${BASE}/callhungup`, operationId: 'callHungUp', fields: { ...HUNGUP, direction } }));
    expect(hungup('Inbound')).toEqual(['enum-close']);
    expect(hungup('inboud')).toEqual(['enum-close']);
    expect(hungup('sideways')).toEqual([]);
  });
});

describe('distance', () => {
  it.each([
    ['callrefid', 'callrefid', 0],
    ['callrefId', 'callrefid', 1],
    ['callrecieved', 'callreceived', 2],
    ['a', 'abcdefgh', 4],
  ])('%s -> %s: %i (capped)', (a, b, d) => {
    expect(Math.min(distance(a, b), 4)).toBe(d);
  });
});
