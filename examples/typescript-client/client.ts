/**
 * A typed PhoneBridge client in a dozen lines: the types are generated from
 * openapi/phonebridge.yaml by openapi-typescript (phonebridge.d.ts here,
 * `npm run generate`), the calls made by openapi-fetch.
 *
 * @example const pb = phoneBridge('http://127.0.0.1:4010', '1000.admin.mockpbx');
 *          const { data } = await pb.GET('/crm/v2/phonebridge/callerdetails', { params: { query: { phonenumber: '+18885554567' } } });
 */
import createClient from 'openapi-fetch';
import type { paths } from './phonebridge.js';

export function phoneBridge(baseUrl: string, token: string) {
  return createClient<paths>({ baseUrl, headers: { Authorization: `Zoho-oauthtoken ${token}` } });
}

/** Form encoding, as Zoho documents the POSTs (openapi-fetch sends JSON unless told otherwise; the mock takes both). */
export const asForm = {
  bodySerializer: (body: unknown) =>
    new URLSearchParams(
      Object.entries(body as Record<string, string | number | boolean | undefined>)
        .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
        .map(([name, value]) => [name, String(value)]),
    ),
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
};
