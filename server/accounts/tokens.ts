import { randomBytes } from 'node:crypto';
import type { Tenant, RefreshGrant, TokenGrant } from '../store/schema.js';

/** Zoho's limits: live access tokens per refresh token, refresh tokens per user; a grant code's life. */
export const ACCESS_TOKENS_PER_REFRESH_TOKEN = 30;
export const REFRESH_TOKENS_PER_USER = 20;
export const GRANT_CODE_TTL_MS = 120_000;

/** `1000.<32 hex>.<32 hex>`, the shape of Zoho's codes and tokens. */
export function zohoToken(): string {
  return `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
}

export interface Subject {
  clientId: string;
  orgId: string;
  userId: string;
  vendor: string;
  scopes: string[];
}

/** A new refresh token; the user's oldest goes (with its access tokens) beyond the limit. */
export function mintRefreshToken(db: Tenant, subject: Subject, now: Date): string {
  const mine = Object.entries(db.refreshTokens)
    .filter(([, grant]) => grant.userId === subject.userId && grant.orgId === subject.orgId)
    .sort(([, a], [, b]) => a.createdAt.localeCompare(b.createdAt));
  for (const [token] of mine.slice(0, Math.max(0, mine.length - REFRESH_TOKENS_PER_USER + 1))) revokeRefreshToken(db, token);
  const token = zohoToken();
  db.refreshTokens[token] = { ...subject, createdAt: now.toISOString(), accessTokens: [] };
  return token;
}

/** A new access token, tied to its refresh token if any; beyond 30 live ones the oldest retires. */
export function mintAccessToken(db: Tenant, subject: Subject, refreshToken: string | undefined, now: Date, ttlSeconds: number): string {
  // Minted tokens that have expired are of no use to anyone: forget them (the fixed persona tokens stay).
  for (const [old, grant] of Object.entries(db.tokens)) {
    if (grant.clientId && Date.parse(grant.expiresAt) <= now.getTime()) delete db.tokens[old];
  }
  const token = zohoToken();
  const grant: TokenGrant = { ...subject, expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString(), issuedAt: now.toISOString() };
  const parent: RefreshGrant | undefined = refreshToken ? db.refreshTokens[refreshToken] : undefined;
  if (parent) {
    grant.refreshToken = refreshToken;
    // Forget the ones that have expired, then retire the oldest live ones beyond the limit.
    parent.accessTokens = parent.accessTokens.filter((t) => {
      const live = db.tokens[t] && Date.parse(db.tokens[t].expiresAt) > now.getTime();
      if (!live) delete db.tokens[t];
      return live;
    });
    while (parent.accessTokens.length >= ACCESS_TOKENS_PER_REFRESH_TOKEN) delete db.tokens[parent.accessTokens.shift()!];
    parent.accessTokens.push(token);
  }
  db.tokens[token] = grant;
  return token;
}

function revokeRefreshToken(db: Tenant, token: string): void {
  for (const access of db.refreshTokens[token]?.accessTokens ?? []) delete db.tokens[access];
  delete db.refreshTokens[token];
}

/** Revokes a refresh token (and its access tokens) or an access token; false when it is neither. */
export function revoke(db: Tenant, token: string): boolean {
  if (db.refreshTokens[token]) {
    revokeRefreshToken(db, token);
    return true;
  }
  const grant = db.tokens[token];
  if (!grant) return false;
  const parent = grant.refreshToken ? db.refreshTokens[grant.refreshToken] : undefined;
  if (parent) parent.accessTokens = parent.accessTokens.filter((t) => t !== token);
  delete db.tokens[token];
  return true;
}
