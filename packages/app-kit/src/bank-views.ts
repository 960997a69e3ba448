/**
 * Checks of every bank answer the apps read, written against the bank's route schemas
 * (apps/bank/src/modules/…/*.routes.ts and certificates.schemas.ts), and the answers' types.
 * Each throws a ShapeError naming the field; http.ts turns it into APP_BANK_RESPONSE. (To be
 * replaced by the shared contract package's schemas.)
 */
import { isValidPublicKey } from '@offpay/crypto';
import { CHALLENGE_LENGTH, LIMITS } from '@offpay/protocol';
import {
  base64Url,
  field,
  hexBytes,
  hexText,
  integer,
  isoDateTime,
  isoSeconds,
  list,
  oneOf,
  record,
  ShapeError,
  string,
} from './guards.js';

/** GET /v1/keys, decoded: what the apps pin at enrollment. */
export interface BankKeysInfo {
  /** Every bank signing key (compressed SEC1), current and retired: certificates name their issuer. */
  signKeys: Uint8Array[];
  /** The current KEM key (settlement batches are sealed to it). */
  kemKey: Uint8Array;
}

/** POST /v1/enrollment/payer and /payee: the certificate issued. */
export interface EnrolledCertificate {
  serial: string;
  /** The certificate wire bytes (decode with decodePayerCertificate / decodePayeeCertificate). */
  certificate: Uint8Array;
  expiresAt: string;
  currency: string;
}

/** GET /v1/revocations: the signed list (verify it with verifyRevocationList) and the bank's clock. */
export interface RevocationsInfo {
  seq: number;
  signed: Uint8Array;
  /** The bank's clock when it answered, Unix seconds. */
  bankTime: number;
}

/** GET /v1/payer/sync */
export interface PayerSync {
  bankTime: number;
  certificates: {
    serial: string;
    status: 'active' | 'closed' | 'revoked';
    limitMinor: string;
    settledMinor: string;
    expiresAt: string;
    currency?: string;
    reserveRemainingMinor?: string;
    /** True when the bank listed only the newest payments of this certificate. */
    paymentsTruncated?: boolean;
    payments: { paymentId: string; counter: number; amountMinor: string; settledAt: string }[];
  }[];
}

/** POST /v1/fraud-proofs answer: the payer certificate the proof revoked. */
export interface FraudReport {
  serial: string;
  kind: 'equivocation' | 'fork' | 'understated';
}

/** One entry's outcome in a settlement answer or event. */
export interface SettledEntry {
  index: number;
  paymentId: string;
  status: 'settled' | 'duplicate' | 'rejected';
  code: string;
}

/** POST /v1/settlements answer, and the data of an SSE `settlement` event (no `signed`/`replayed`). */
export interface SettlementAnswer {
  batchKey: string;
  payeeKid: string;
  fromIndex: number;
  head: string;
  settledAt: number;
  replayed?: boolean;
  results: SettledEntry[];
  signed?: Uint8Array;
}

/** GET /v1/accounts/me: one account. */
export interface AccountView {
  kind: string;
  currency: string;
  balanceMinor: string;
}

const SERIAL = /^[1-9][0-9]{0,15}$/;
const MINOR = /^-?(0|[1-9][0-9]{0,18})$/;
/** An amount that cannot be negative, in minor units a Money holds (≤ 2^53 − 1). */
const amount = (value: unknown, path: string): string => {
  const text = string(value, path, 16, /^(0|[1-9][0-9]{0,15})$/);
  if (!Number.isSafeInteger(Number(text))) throw new ShapeError(`${path} is too large`);
  return text;
};
const CURRENCY = /^[A-Z]{3}$/;
const RESULT_CODE = /^([A-Z][A-Z0-9_]*)?$/;
const MAX_KEYS = 256;

/** GET /v1/keys: every signing key, and the current (not retired, newest) KEM key. */
export function keysView(json: unknown): BankKeysInfo {
  const o = record(json, 'keys');
  const key = (k: unknown, path: string) => {
    const r = record(k, path);
    const publicKey = hexBytes(field(r, 'publicKey'), `${path}.publicKey`, 33);
    if (!isValidPublicKey(publicKey)) throw new ShapeError(`${path}.publicKey is not a P-256 key`);
    const retiredAt = field(r, 'retiredAt');
    return {
      publicKey,
      createdAt: Date.parse(isoDateTime(field(r, 'createdAt'), `${path}.createdAt`)),
      retired: retiredAt === null ? false : (isoDateTime(retiredAt, `${path}.retiredAt`), true),
    };
  };
  const signKeys = list(field(o, 'signKeys'), 'signKeys', MAX_KEYS).map((k, i) =>
    key(k, `signKeys[${i}]`),
  );
  const kemKeys = list(field(o, 'kemKeys'), 'kemKeys', MAX_KEYS).map((k, i) =>
    key(k, `kemKeys[${i}]`),
  );
  if (signKeys.length === 0) throw new ShapeError('signKeys is empty');
  const current = kemKeys.filter((k) => !k.retired).sort((a, b) => b.createdAt - a.createdAt)[0];
  if (!current) throw new ShapeError('kemKeys has no current key');
  return { signKeys: signKeys.map((k) => k.publicKey), kemKey: current.publicKey };
}

/** POST /v1/auth/login: the access token. */
export function loginView(json: unknown): string {
  const o = record(json, 'login');
  return string(field(o, 'accessToken'), 'accessToken', 8192, /^[A-Za-z0-9._~+/=-]+$/);
}

/** POST /v1/enrollment/challenge */
export function challengeView(json: unknown): { challengeId: string; challenge: Uint8Array } {
  const o = record(json, 'challenge');
  return {
    challengeId: string(field(o, 'challengeId'), 'challengeId', 22, /^[A-Za-z0-9_-]{22}$/),
    challenge: base64Url(field(o, 'challenge'), 'challenge', CHALLENGE_LENGTH, CHALLENGE_LENGTH),
  };
}

/** POST /v1/enrollment/payer and /payee: the fields both answers share. */
export function certificateView(o: Record<string, unknown>): EnrolledCertificate {
  return {
    serial: string(field(o, 'serial'), 'serial', 16, SERIAL),
    certificate: base64Url(field(o, 'certificate'), 'certificate', 1, LIMITS.certificateBytes),
    expiresAt: isoDateTime(field(o, 'expiresAt'), 'expiresAt'),
    currency: string(field(o, 'currency'), 'currency', 3, CURRENCY),
  };
}

/** POST /v1/enrollment/payer */
export function payerView(json: unknown): EnrolledCertificate & { limitMinor: string } {
  const o = record(json, 'payer certificate');
  return {
    ...certificateView(o),
    limitMinor: amount(field(o, 'limitMinor'), 'limitMinor'),
  };
}

/** POST /v1/enrollment/payee */
export function payeeView(json: unknown): EnrolledCertificate & { displayName: string } {
  const o = record(json, 'payee certificate');
  return {
    ...certificateView(o),
    displayName: string(field(o, 'displayName'), 'displayName', 256),
  };
}

/** GET /v1/revocations */
export function revocationsView(json: unknown): RevocationsInfo {
  const o = record(json, 'revocations');
  return {
    seq: integer(field(o, 'seq'), 'seq'),
    signed: base64Url(field(o, 'signed'), 'signed', 1, LIMITS.revocationListBytes),
    bankTime: isoSeconds(field(o, 'bankTime'), 'bankTime'),
  };
}

/** POST /v1/fraud-proofs */
export function fraudReportView(json: unknown): FraudReport {
  const o = record(json, 'fraud report');
  return {
    serial: string(field(o, 'serial'), 'serial', 20),
    kind: oneOf(field(o, 'kind'), 'kind', ['equivocation', 'fork', 'understated'] as const),
  };
}

/** GET /v1/payer/sync */
export function payerSyncView(json: unknown): PayerSync {
  const o = record(json, 'payer sync');
  const certificates = list(field(o, 'certificates'), 'certificates', 1000).map((c, i) => {
    const p = `certificates[${i}]`;
    const r = record(c, p);
    const payments = list(field(r, 'payments'), `${p}.payments`, 10_000).map((x, j) => {
      const q = record(x, `${p}.payments[${j}]`);
      return {
        paymentId: hexText(field(q, 'paymentId'), `${p}.payments[${j}].paymentId`, 32),
        counter: integer(field(q, 'counter'), `${p}.payments[${j}].counter`, 1),
        amountMinor: amount(field(q, 'amountMinor'), `${p}.payments[${j}].amountMinor`),
        settledAt: isoDateTime(field(q, 'settledAt'), `${p}.payments[${j}].settledAt`),
      };
    });
    const truncated = field(r, 'paymentsTruncated');
    return {
      serial: string(field(r, 'serial'), `${p}.serial`, 16, SERIAL),
      status: oneOf(field(r, 'status'), `${p}.status`, ['active', 'closed', 'revoked'] as const),
      currency: string(field(r, 'currency'), `${p}.currency`, 3, CURRENCY),
      limitMinor: amount(field(r, 'limitMinor'), `${p}.limitMinor`),
      settledMinor: amount(field(r, 'settledMinor'), `${p}.settledMinor`),
      reserveRemainingMinor: amount(field(r, 'reserveRemainingMinor'), `${p}.reserve`),
      expiresAt: isoDateTime(field(r, 'expiresAt'), `${p}.expiresAt`),
      payments,
      paymentsTruncated: truncated === true,
    };
  });
  return { bankTime: isoSeconds(field(o, 'bankTime'), 'bankTime'), certificates };
}

/** GET /v1/accounts/me */
export function accountsView(json: unknown): AccountView[] {
  const o = record(json, 'accounts');
  return list(field(o, 'accounts'), 'accounts', 100).map((a, i) => {
    const r = record(a, `accounts[${i}]`);
    return {
      kind: string(field(r, 'kind'), `accounts[${i}].kind`, 32, /^[a-z_]+$/),
      currency: string(field(r, 'currency'), `accounts[${i}].currency`, 3, CURRENCY),
      balanceMinor: string(field(r, 'balanceMinor'), `accounts[${i}].balanceMinor`, 20, MINOR),
    };
  });
}

function entryView(x: unknown, path: string): SettledEntry {
  const r = record(x, path);
  const status = oneOf(field(r, 'status'), `${path}.status`, [
    'settled',
    'duplicate',
    'rejected',
  ] as const);
  const code = string(field(r, 'code'), `${path}.code`, 64, RESULT_CODE);
  if ((status === 'rejected') !== (code !== '')) {
    throw new ShapeError(`${path}.code does not match its status`);
  }
  return {
    index: integer(field(r, 'index'), `${path}.index`),
    paymentId: hexText(field(r, 'paymentId'), `${path}.paymentId`, 32),
    status,
    code,
  };
}

/** The data of an SSE `settlement` event (no `signed`, no `replayed`). */
export function settlementEventView(json: unknown): SettlementAnswer {
  const o = record(json, 'settlement');
  return {
    batchKey: hexText(field(o, 'batchKey'), 'batchKey', 32),
    payeeKid: hexText(field(o, 'payeeKid'), 'payeeKid', 8),
    fromIndex: integer(field(o, 'fromIndex'), 'fromIndex'),
    head: hexText(field(o, 'head'), 'head', 32),
    settledAt: integer(field(o, 'settledAt'), 'settledAt'),
    results: list(field(o, 'results'), 'results', LIMITS.batchEntries).map((x, i) =>
      entryView(x, `results[${i}]`),
    ),
  };
}

/** POST /v1/settlements: the result, with the bank-signed bytes decoded. */
export function settlementView(json: unknown): SettlementAnswer {
  const o = record(json, 'settlement');
  const replayed = field(o, 'replayed');
  if (typeof replayed !== 'boolean') throw new ShapeError('replayed is not a boolean');
  return {
    ...settlementEventView(json),
    replayed,
    signed: base64Url(field(o, 'signed'), 'signed', 1, LIMITS.resultBytes),
  };
}
