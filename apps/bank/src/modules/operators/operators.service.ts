/**
 * Operators (docs/operations.md "Operators"): created by the CLI (or the demo seed), signed in
 * with password and TOTP, short sessions, logout, and the audit entries of what they do. Operator
 * tokens are HS256 JWTs like customers', under a key derived from the bank's JWT secret and
 * another audience, so neither kind of token works where the other is expected.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { OperatorRole } from '@offpay/api';
import { isUniqueViolation } from '../../db/errors.js';
import type { Database, Queryable } from '../../db/queryable.js';
import { bankFail } from '../../errors.js';
import type { AuditLog } from '../audit/audit.service.js';
import { accessClaims, normalizeEmail } from '../auth/auth.domain.js';
import { isJwtError, signJwt, verifyJwt } from '../auth/auth.jwt.js';
import { hashPassword, verifyPassword, type PasswordHash } from '../auth/auth.password.js';
import {
  operatorActorName,
  operatorAudience,
  operatorAuditData,
  type OperatorAction,
  type OperatorActor,
} from './operators.domain.js';
import {
  bumpOperatorTokenVersion,
  findOperator,
  findOperatorByEmail,
  insertOperator,
  takeTotpStep,
} from './operators.repo.js';
import type { TotpVault } from './operators.sealing.js';
import { matchTotp, newTotpSecret, provisioningUri } from './operators.totp.js';

/** Dependencies of {@link createOperatorsService}. */
export interface OperatorsDeps {
  db: Database;
  audit: AuditLog;
  vault: TotpVault;
  /** The bank's JWT secret, issuer and customer audience; operators get their own key and audience. */
  jwt: { secret: Uint8Array; issuer: string; audience: string };
  sessionSeconds: number;
  scryptLog2N: number;
  now: () => Date;
}

/** What creating an operator needs; a missing password or TOTP secret is generated. */
export interface NewOperator {
  email: string;
  role: OperatorRole;
  password?: string;
  totpSecret?: Uint8Array;
  /** Who creates it, for the audit log (`cli`, `demo`). */
  createdBy: string;
}

/** A created operator, with what must be shown once and never stored in clear. */
export interface CreatedOperator {
  id: string;
  email: string;
  role: OperatorRole;
  /** Set when the password was generated. */
  generatedPassword?: string;
  /** The otpauth:// URI holding the TOTP secret. */
  provisioningUri: string;
}

/** A signed-in operator's session. */
export interface OperatorSession {
  accessToken: string;
  expiresAt: Date;
  expiresIn: number;
  operator: OperatorActor;
}

/** Operators. */
export interface OperatorsService {
  /** @throws Error when the email is taken (the CLI says so). */
  create(input: NewOperator): Promise<CreatedOperator>;
  /** @throws BANK_OPERATOR_BAD_CREDENTIALS for every wrong or replayed input alike. */
  login(input: { email: string; password: string; code: string }): Promise<OperatorSession>;
  /** Ends every session of the operator. */
  logout(actor: OperatorActor): Promise<void>;
  /** @throws BANK_TOKEN_INVALID, BANK_TOKEN_EXPIRED, BANK_TOKEN_REVOKED */
  authenticate(token: string): Promise<OperatorActor>;
  /** Appends the audit entry of an operator action inside the caller's transaction. */
  record(tx: Queryable, actor: OperatorActor, action: OperatorAction): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** One answer for an unknown email, a wrong password, a wrong code and a replayed code. */
function refused(): never {
  return bankFail(
    'BANK_OPERATOR_BAD_CREDENTIALS',
    'Email, password or code is wrong, or the code was already used',
  );
}

/** The operator tokens' key: HMAC-SHA256 of a label under the bank's JWT secret. */
function operatorKey(jwtSecret: Uint8Array): Uint8Array {
  return new Uint8Array(
    createHmac('sha256', jwtSecret).update('offpay/v1/operator-token').digest(),
  );
}

/** Builds the operators service. */
export async function createOperatorsService(deps: OperatorsDeps): Promise<OperatorsService> {
  // Unknown emails still run scrypt and a TOTP check, so timing does not tell who is an operator.
  const decoy = await hashPassword('offpay decoy operator password', deps.scryptLog2N);
  return new Operators(deps, decoy, newTotpSecret());
}

// #private fields: the JWT key and the decoys cannot reach a log by accident.
class Operators implements OperatorsService {
  readonly #deps: OperatorsDeps;
  readonly #key: Uint8Array;
  readonly #audience: string;
  readonly #decoy: PasswordHash;
  readonly #decoyTotp: Uint8Array;

  constructor(deps: OperatorsDeps, decoy: PasswordHash, decoyTotp: Uint8Array) {
    this.#deps = deps;
    this.#key = operatorKey(deps.jwt.secret);
    this.#audience = operatorAudience(deps.jwt.audience);
    this.#decoy = decoy;
    this.#decoyTotp = decoyTotp;
  }

  async create(input: NewOperator): Promise<CreatedOperator> {
    const { db, vault, audit, scryptLog2N } = this.#deps;
    const id = randomUUID();
    const email = normalizeEmail(input.email);
    const generatedPassword = input.password ? undefined : randomBytes(18).toString('base64url');
    const password = await hashPassword(
      input.password ?? (generatedPassword as string),
      scryptLog2N,
    );
    const secret = input.totpSecret ?? newTotpSecret();
    try {
      await db.transaction(async (tx) => {
        await insertOperator(tx, {
          id,
          email,
          role: input.role,
          password,
          totpSealed: vault.seal(id, secret),
        });
        await audit.append(tx, {
          actor: input.createdBy,
          action: 'operator.created',
          data: { operatorId: id, operatorEmail: email, operatorRole: input.role },
        });
      });
    } catch (err) {
      if (isUniqueViolation(err, 'operators_email_key'))
        throw new Error(`an operator with email ${email} already exists`, { cause: err });
      throw err;
    }
    return {
      id,
      email,
      role: input.role,
      provisioningUri: provisioningUri(secret, email),
      ...(generatedPassword ? { generatedPassword } : {}),
    };
  }

  async login(input: { email: string; password: string; code: string }): Promise<OperatorSession> {
    const { operator, step } = await this.#check(input);
    const taken = await this.#deps.db.transaction(async (tx) => {
      // A code is good once (stepIsFresh, enforced by the UPDATE): the step is taken in the same
      // transaction that audits the sign-in.
      if (!(await takeTotpStep(tx, operator.id, step))) return false;
      await this.record(tx, operator, {
        action: 'operator.signed_in',
        target: `operator:${operator.id}`,
      });
      return true;
    });
    if (!taken) refused();
    return this.#issue(operator);
  }

  /** The operator whose email, password and code these are, and the code's time step. */
  async #check(input: {
    email: string;
    password: string;
    code: string;
  }): Promise<{ operator: OperatorActor; step: number }> {
    const { db, vault, now } = this.#deps;
    const found = await findOperatorByEmail(db, normalizeEmail(input.email));
    const passwordOk = await verifyPassword(input.password, found?.password ?? this.#decoy);
    const secret = found ? vault.open(found.id, found.totpSealed) : this.#decoyTotp;
    const step = matchTotp(secret, input.code, now().getTime());
    if (!found || !passwordOk || step === null) return refused();
    const { id, email, role, tokenVersion } = found;
    return { operator: { id, email, role, tokenVersion }, step };
  }

  async logout(actor: OperatorActor): Promise<void> {
    await this.#deps.db.transaction(async (tx) => {
      await bumpOperatorTokenVersion(tx, actor.id);
      await this.record(tx, actor, {
        action: 'operator.signed_out',
        target: `operator:${actor.id}`,
      });
    });
  }

  async authenticate(token: string): Promise<OperatorActor> {
    const { issuer } = this.#deps.jwt;
    let claims;
    try {
      claims = verifyJwt(token, this.#key, {
        issuer,
        audience: this.#audience,
        now: this.#unixNow(),
      });
    } catch (err) {
      if (isJwtError(err, 'expired')) bankFail('BANK_TOKEN_EXPIRED', 'The token has expired');
      bankFail('BANK_TOKEN_INVALID', 'The token is not valid');
    }
    if (!UUID.test(claims.sub)) bankFail('BANK_TOKEN_INVALID', 'The token is not valid');
    // Read every time (no cache): logout and role changes take effect on the next request.
    const row = await findOperator(this.#deps.db, claims.sub);
    if (!row || row.tokenVersion !== claims.ver)
      bankFail('BANK_TOKEN_REVOKED', 'The token was revoked');
    return row;
  }

  async record(tx: Queryable, actor: OperatorActor, action: OperatorAction): Promise<void> {
    await this.#deps.audit.append(tx, {
      actor: operatorActorName(actor),
      action: action.action,
      data: operatorAuditData(actor, action),
    });
  }

  #issue(operator: OperatorActor): OperatorSession {
    const ttlSeconds = this.#deps.sessionSeconds;
    const claims = accessClaims({
      issuer: this.#deps.jwt.issuer,
      audience: this.#audience,
      userId: operator.id,
      tokenVersion: operator.tokenVersion,
      now: this.#unixNow(),
      ttlSeconds,
    });
    return {
      accessToken: signJwt(claims, this.#key),
      expiresAt: new Date(claims.exp * 1000),
      expiresIn: ttlSeconds,
      operator,
    };
  }

  #unixNow(): number {
    return Math.floor(this.#deps.now().getTime() / 1000);
  }
}
