import type { PhoneBridgeClient } from './client.js';
import type { Target } from './target.js';

export interface MintedToken {
  accessToken: string;
  refreshToken?: string;
}

/**
 * A token for the scope given, through the accounts server's own flow, as a
 * vendor gets one: authorize, consent as the first user the page lists (or
 * auto-consent), then the code for tokens. Only where nobody has to sign in
 * (phonebridge-mock); every answer is checked against accounts.yaml.
 */
export async function mintToken(oauth: PhoneBridgeClient, client: NonNullable<Target['client']>, scope: string, state: string): Promise<MintedToken> {
  const request = { response_type: 'code', client_id: client.id, scope, redirect_uri: client.redirectUri, access_type: 'offline', state };
  let ex = await oauth.call('authorize', { token: null, params: request });
  if (ex.status === 200) {
    const userid = /data-userid="(\d+)"/.exec(ex.text)?.[1];
    if (!userid) throw new Error(`the consent page lists no user to consent as:\n${ex.text.slice(0, 300)}`);
    ex = await oauth.call('consent', { token: null, params: { ...request, userid } });
  }
  oauth.expect(ex, { status: 302 });
  const code = new URL(ex.headers.location!).searchParams.get('code');
  if (!code) throw new Error(`the consent redirect carries no code: ${ex.headers.location}`);
  const tokens = await oauth.call('token', {
    token: null,
    params: { grant_type: 'authorization_code', code, client_id: client.id, client_secret: client.secret, redirect_uri: client.redirectUri },
  });
  oauth.expect(tokens, { status: 200 });
  const { access_token, refresh_token } = tokens.body as { access_token?: string; refresh_token?: string };
  if (!access_token) throw new Error(`the token endpoint answered no access_token: ${tokens.text.slice(0, 300)}`);
  return { accessToken: access_token, refreshToken: refresh_token };
}
