/**
 * Registration, login and logout-everywhere, and turning a Bearer token into a user. Postgres
 * holds the truth (users.token_version); the cache only saves a query per request.
 */
import type { Logger } from 'pino';
import type { Database, Queryable } from '../../db/queryable.js';
import { isUniqueViolation } from '../../db/errors.js';
import { bankFail } from '../../errors.js';
import { afterCommit } from '../../kv/after-commit.js';
import type { Cache } from '../../kv/kv.js';
import type { AccountsService } from '../accounts/accounts.service.js';
import type { AuditLog } from '../audit/audit.service.js';
import {
  accessClaims,
  normalizeEmail,
  TOKEN_VERSION_CACHE_SECONDS,
  tokenStillValid,
  tokenVersionKey,
  type AuthUser,
  type TokenEnd,
} from './auth.domain.js';
import { isJwtError, JWT_LEEWAY_SECONDS, signJwt, verifyJwt } from './auth.jwt.js';
import { hashPassword, verifyPassword, type PasswordHash } from './auth.password.js';
import {
  bumpTokenVersion,
  findCredentialsByEmail,
  findTokenVersion,
  insertUser,
} from './auth.repo.js';

/** Dependencies of {@link createAuthService}. */
export interface AuthDeps {
  db: Database;
  cache: Cache;
  audit: AuditLog;
  accounts: Pick<AccountsService, 'openCustomerAccount'>;
  jwt: { secret: Uint8Array; issuer: string; audience: string; ttlSeconds: number };
  scryptLog2N: number;
  now: () => Date;
  log: Pick<Logger, 'warn'>;
}

/** An issued access token. */
export interface IssuedToken {
  accessToken: string;
  expiresAt: Date;
  expiresIn: number;
}

/** What registration needs. */
export interface RegisterInput {
  email: string;
  password: string;
  displayName: string;
  currency: string;
}

/** Authentication. */
export interface AuthService {
  /** Creates the user and its customer account. @throws BANK_EMAIL_TAKEN */
  register(input: RegisterInput): Promise<{ userId: string; accountId: string }>;
  /** @throws BANK_BAD_CREDENTIALS for a wrong password and an unknown email alike. */
  login(input: { email: string; password: string }): Promise<IssuedToken>;
  /** Revokes every token of the user (logout everywhere). */
  logout(userId: string): Promise<void>;
  /**
   * Ends every session of the user inside the caller's transaction `tx` (a device reported lost
   * or stolen: docs/threat-model.md §4.1): bumps the token version, so every token issued so far
   * is refused once `tx` commits, and updates the cached version after COMMIT. It appends no
   * audit entry (the caller does, keeping its lock order: the user's row here, the audit head
   * last). Returns false when there is no such user.
   */
  endSessions(tx: Queryable, userId: string): Promise<boolean>;
  /** @throws BANK_TOKEN_INVALID, BANK_TOKEN_EXPIRED or BANK_TOKEN_REVOKED */
  authenticate(token: string): Promise<AuthUser>;
  /**
   * Whether the token `user` authenticated with still holds now: null while it does, else why it
   * ended (its expiry passed, or the user logged out everywhere). For long requests (live events).
   * @throws when neither the cache nor Postgres answers (the caller asks again later).
   */
  tokenEnded(user: AuthUser): Promise<TokenEnd | null>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Builds the auth service. */
export async function createAuthService(deps: AuthDeps): Promise<AuthService> {
  // Logins for unknown emails still run scrypt, against this hash, so timing does not tell
  // whether an email is registered.
  return new Auth(deps, await hashPassword('offpay decoy password', deps.scryptLog2N));
}

// A class with #private fields: the JWT secret inside deps cannot reach a log by accident.
class Auth implements AuthService {
  readonly #deps: AuthDeps;
  readonly #decoy: PasswordHash;

  constructor(deps: AuthDeps, decoy: PasswordHash) {
    this.#deps = deps;
    this.#decoy = decoy;
  }

  async register(input: RegisterInput): Promise<{ userId: string; accountId: string }> {
    const { db, accounts, audit, scryptLog2N } = this.#deps;
    const email = normalizeEmail(input.email);
    const password = await hashPassword(input.password, scryptLog2N);
    try {
      return await db.transaction(async (tx) => {
        const userId = await insertUser(tx, { email, displayName: input.displayName, password });
        const accountId = await accounts.openCustomerAccount(tx, userId, input.currency);
        const data = { currency: input.currency };
        await audit.append(tx, { actor: `user:${userId}`, action: 'user.registered', data });
        return { userId, accountId };
      });
    } catch (err) {
      if (isUniqueViolation(err, 'users_email_key')) {
        bankFail('BANK_EMAIL_TAKEN', 'An account with this email already exists');
      }
      throw err;
    }
  }

  async login(input: { email: string; password: string }): Promise<IssuedToken> {
    const user = await findCredentialsByEmail(this.#deps.db, normalizeEmail(input.email));
    const ok = await verifyPassword(input.password, user?.password ?? this.#decoy);
    if (!user || !ok) bankFail('BANK_BAD_CREDENTIALS', 'Email or password is wrong');
    const { issuer, audience, ttlSeconds, secret } = this.#deps.jwt;
    const claims = accessClaims({
      issuer,
      audience,
      userId: user.id,
      tokenVersion: user.tokenVersion,
      now: this.#unixNow(),
      ttlSeconds,
    });
    const accessToken = signJwt(claims, secret);
    return { accessToken, expiresAt: new Date(claims.exp * 1000), expiresIn: ttlSeconds };
  }

  async logout(userId: string): Promise<void> {
    const { db, audit } = this.#deps;
    const version = await db.transaction(async (tx) => {
      const v = await bumpTokenVersion(tx, userId);
      await audit.append(tx, { actor: `user:${userId}`, action: 'user.logout_all' });
      return v;
    });
    if (version === null) return;
    await this.#cacheVersion(userId, version);
  }

  async endSessions(tx: Queryable, userId: string): Promise<boolean> {
    const version = await bumpTokenVersion(tx, userId);
    if (version === null) return false;
    await afterCommit(tx, () => this.#cacheVersion(userId, version));
    return true;
  }

  /**
   * After COMMIT: overwrites whatever a reader cached. If Redis is down the cached value expires
   * within TOKEN_VERSION_CACHE_SECONDS (docs/operations.md "Redis"); Postgres holds the truth.
   */
  async #cacheVersion(userId: string, version: number): Promise<void> {
    const { cache, log } = this.#deps;
    await cache
      .set(tokenVersionKey(userId), String(version), TOKEN_VERSION_CACHE_SECONDS)
      .catch((err: unknown) => log.warn({ err }, 'could not update the token-version cache'));
  }

  async authenticate(token: string): Promise<AuthUser> {
    const { issuer, audience, secret } = this.#deps.jwt;
    let claims;
    try {
      claims = verifyJwt(token, secret, { issuer, audience, now: this.#unixNow() });
    } catch (err) {
      if (isJwtError(err, 'expired')) {
        bankFail('BANK_TOKEN_EXPIRED', 'The token has expired');
      }
      bankFail('BANK_TOKEN_INVALID', 'The token is not valid');
    }
    if (!UUID.test(claims.sub)) bankFail('BANK_TOKEN_INVALID', 'The token is not valid');
    const version = await this.#currentTokenVersion(claims.sub);
    if (!tokenStillValid(claims, version)) bankFail('BANK_TOKEN_REVOKED', 'The token was revoked');
    return {
      id: claims.sub,
      tokenVersion: claims.ver,
      expiresAt: claims.exp,
      signedInAt: claims.iat,
    };
  }

  async tokenEnded(user: AuthUser): Promise<TokenEnd | null> {
    // The same instant authenticate() starts refusing the token (expiry plus the clock leeway),
    // so a client that reconnects at once is refused rather than ended again and again.
    if (this.#unixNow() >= user.expiresAt + JWT_LEEWAY_SECONDS) return 'token-expired';
    const version = await this.#currentTokenVersion(user.id);
    return tokenStillValid({ ver: user.tokenVersion }, version) ? null : 'logged-out';
  }

  #unixNow(): number {
    return Math.floor(this.#deps.now().getTime() / 1000);
  }

  async #currentTokenVersion(userId: string): Promise<number | null> {
    const { cache, db, log } = this.#deps;
    const key = tokenVersionKey(userId);
    const cached = await cache.get(key).catch((err: unknown) => {
      log.warn({ err }, 'token-version cache unavailable; reading Postgres');
      return null;
    });
    if (cached !== null) return Number(cached);
    const version = await findTokenVersion(db, userId);
    if (version === null) return null;
    // setIfAbsent: never overwrite the newer value a concurrent logout has just written.
    await cache.setIfAbsent(key, String(version), TOKEN_VERSION_CACHE_SECONDS).catch(() => false);
    return version;
  }
}
