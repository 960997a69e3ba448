/** Pure rules of authentication: identities, token claims, and what a token version means. */
import type { AccessClaims } from './auth.jwt.js';

/** The authenticated caller that routes see. */
export interface AuthUser {
  id: string;
  tokenVersion: number;
  /** When the token ends (Unix seconds): a stream opened with it ends then too. */
  expiresAt: number;
  /**
   * When the sign-in that issued the token happened (its `iat`, Unix seconds): a payer enrollment
   * needs a recent one (docs/threat-model.md §4.1 "Before the report").
   */
  signedInAt: number;
}

/** Why a token that once authenticated no longer does. */
export type TokenEnd = 'token-expired' | 'logged-out';

/** Emails compare case-insensitively: stored trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Claims of a new access token for `userId`; `now` is Unix seconds. */
export function accessClaims(input: {
  issuer: string;
  audience: string;
  userId: string;
  tokenVersion: number;
  now: number;
  ttlSeconds: number;
}): AccessClaims {
  return {
    iss: input.issuer,
    aud: input.audience,
    sub: input.userId,
    iat: input.now,
    exp: input.now + input.ttlSeconds,
    ver: input.tokenVersion,
  };
}

/** A token is still good only while the user exists and its version is the user's current one. */
export function tokenStillValid(
  claims: Pick<AccessClaims, 'ver'>,
  currentVersion: number | null,
): boolean {
  return currentVersion !== null && claims.ver === currentVersion;
}

/** Cache key of a user's token version. */
export function tokenVersionKey(userId: string): string {
  return `token-version:${userId}`;
}

/** Token versions are cached briefly: the worst-case delay of a revocation while Redis is failing. */
export const TOKEN_VERSION_CACHE_SECONDS = 30;
