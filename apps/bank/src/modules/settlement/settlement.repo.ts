/** SQL of settlement: payee heads, payer certificates' reserves, settled payments, results. */
import { encodePayment, type ChainLink, type Payment } from '@offpay/protocol';
import type { Queryable } from '../../db/queryable.js';
import type { ChainedAudit } from '../audit/audit.service.js';
import { bytesParam, safeInteger, StatementParams } from '../../db/values.js';
import { transferWrites, type TransferRows } from '../accounts/accounts.repo.js';

/** A payee certificate as settlement needs it. */
export interface PayeeRow {
  serial: number;
  accountId: string;
  currency: string;
  signKey: Uint8Array;
  status: string;
  expiresAt: number;
  /**
   * The till this one's ledger was handed over to (docs/protocol.md §9.7), or null: its key
   * signs the ledger's batches once this till is revoked.
   */
  successor: { serial: number; signKey: Uint8Array; status: string; expiresAt: number } | null;
}

/** The payee certificate whose signing key has this kid, with its ledger's successor if any. */
export async function findPayeeByKid(q: Queryable, kid: Uint8Array): Promise<PayeeRow | null> {
  return (await findPayeeAndResult(q, kid, null)).payee;
}

/**
 * {@link findPayeeByKid} and, in the same round trip, the stored result of batch `batchKey` if
 * it was settled before ({@link findResult}); `stored` is null when the payee is unknown.
 */
export async function findPayeeAndResult(
  q: Queryable,
  kid: Uint8Array,
  batchKey: Uint8Array | null,
): Promise<{ payee: PayeeRow | null; stored: Uint8Array | null }> {
  const rows = await q.query<{
    serial: bigint;
    account_id: string;
    currency: string;
    sign_key: Uint8Array;
    status: string;
    expires_at: bigint;
    s_serial: bigint | null;
    s_sign_key: Uint8Array | null;
    s_status: string | null;
    s_expires_at: bigint | null;
    stored: Uint8Array | null;
  }>(
    `SELECT p.serial, p.account_id, p.currency, p.sign_key, p.status,
            extract(epoch FROM p.expires_at)::bigint AS expires_at,
            s.serial AS s_serial, s.sign_key AS s_sign_key, s.status AS s_status,
            extract(epoch FROM s.expires_at)::bigint AS s_expires_at,
            (SELECT result FROM settlements WHERE batch_key = $2::bytea) AS stored
     FROM payee_certificates p
     LEFT JOIN ledger_handovers h ON h.from_serial = p.serial
     LEFT JOIN payee_certificates s ON s.serial = h.to_serial
     WHERE p.kid = $1`,
    [kid, batchKey],
  );
  const r = rows[0];
  if (!r) return { payee: null, stored: null };
  const payee = {
    serial: Number(r.serial),
    accountId: r.account_id,
    currency: r.currency.trim(),
    signKey: r.sign_key,
    status: r.status,
    expiresAt: Number(r.expires_at),
    successor:
      r.s_serial === null || r.s_sign_key === null
        ? null
        : {
            serial: Number(r.s_serial),
            signKey: r.s_sign_key,
            status: r.s_status ?? 'revoked',
            expiresAt: Number(r.s_expires_at),
          },
  };
  return { payee, stored: r.stored };
}

/** The stored, bank-signed result of a batch, if it was settled before. */
export async function findResult(q: Queryable, batchKey: Uint8Array): Promise<Uint8Array | null> {
  const rows = await q.query<{ result: Uint8Array }>(
    'SELECT result FROM settlements WHERE batch_key = $1',
    [batchKey],
  );
  return rows[0]?.result ?? null;
}

/** What the first statement of a settlement reads under the payee's row lock. */
export interface LockedHead {
  /** The payee's settled head, or null when it has no head row. */
  head: { nextIndex: number; head: Uint8Array } | null;
  /**
   * The stored result of this batch key, as the statement's snapshot saw it. READ COMMITTED:
   * the snapshot predates a wait for the lock, so a batch committed during that wait shows here
   * as a head that moved — read again with {@link findResult} before refusing.
   */
  stored: Uint8Array | null;
  /** A fresh settlement id (sequence value) for {@link recordSettled}; 0n without a head row. */
  settlementId: bigint;
  /**
   * {@link settledLinks} of the batch's payments, read in the same statement's snapshot — before
   * their certificates are locked, so made exact by {@link settledLinksChecked} under the locks.
   */
  unlocked: SettledReading;
}

/**
 * Locks a payee's settled head for this transaction and returns it, with the stored result of
 * the batch, the id its settlement row will have and the settled links of `batch`'s payers
 * (no lock on them) — one round trip.
 */
export async function lockPayeeHead(
  tx: Queryable,
  payeeSerial: number,
  batchKey: Uint8Array,
  batch: readonly BatchLink[] = [],
): Promise<LockedHead> {
  const p = new StatementParams();
  const head = `SELECT h.next_index, h.head,
            (SELECT result FROM settlements WHERE batch_key = ${p.add(batchKey)}) AS stored,
            nextval(pg_get_serial_sequence('settlements', 'id')) AS settlement_id
     FROM payee_heads h WHERE h.payee_serial = ${p.add(payeeSerial)} FOR UPDATE OF h`;
  const bounds = linkBounds(batch);
  // The links take no lock: joined to the locked head row, they come back in the same round trip.
  const sql =
    bounds.size === 0
      ? head
      : `WITH head AS (${head})
     SELECT head.*, l.* FROM head LEFT JOIN (${linksSelect(p, batch, bounds)}) AS l ON true
     ORDER BY l.cert_serial, l.counter`;
  const rows = await tx.query<
    LinkRow & {
      next_index: bigint;
      head: Uint8Array;
      stored: Uint8Array | null;
      settlement_id: bigint;
    }
  >(sql, p.values);
  const r = rows[0];
  if (!r) return { head: null, stored: null, settlementId: 0n, unlocked: emptyReading() };
  return {
    head: { nextIndex: Number(r.next_index), head: r.head },
    stored: r.stored,
    settlementId: BigInt(r.settlement_id),
    unlocked: bounds.size === 0 ? emptyReading() : readLinks(rows),
  };
}

/** A payer certificate locked for settlement, with the accounts its money moves between. */
export interface LockedCert {
  serial: number;
  currency: string;
  limit: bigint;
  settled: bigint;
  certTbsSource: Uint8Array;
  customerAccountId: string;
  reserveAccountId: string | null;
  /** True once the unspent reserve went back to the payer (expiry + grace passed). */
  released: boolean;
  /** True when a fraud proof against the certificate is stored. */
  proven: boolean;
  /** Unix seconds of the owner's close or the compromise report, whichever came first; or null. */
  recoveryEndedAt: number | null;
  /**
   * The row version (`xmin`): every settlement that adds payments under the certificate updates
   * its row (settled_minor), so an unchanged version means no settled payment was added.
   */
  version: string;
}

/**
 * Locks payer certificates in serial order (so two payees racing one payer serialise without
 * deadlock, DESIGN.md §5) and reads their reserve state and the accounts their money moves from
 * (locked next, with the payee's, by the service). `FOR NO KEY UPDATE`: it excludes every other
 * settlement, revocation and release of these rows as `FOR UPDATE` did (they take the same lock or
 * update the rows), but not the `FOR KEY SHARE` of foreign-key checks — a payment or fraud proof
 * inserted elsewhere that merely references a certificate does not queue behind a settlement.
 */
export async function lockPayerCerts(
  tx: Queryable,
  serials: readonly number[],
): Promise<LockedCert[]> {
  if (serials.length === 0) return [];
  const rows = await tx.query<{
    serial: bigint;
    currency: string;
    limit_minor: bigint;
    settled_minor: bigint;
    cert: Uint8Array;
    account_id: string;
    reserve_id: string | null;
    released: boolean;
    proven: boolean;
    recovery_ended_at: bigint | null;
    version: string;
  }>(
    `SELECT c.serial, c.currency, c.limit_minor, c.settled_minor, c.cert, c.account_id,
            c.xmin::text AS version,
            c.reserve_released_at IS NOT NULL AS released,
            floor(extract(epoch FROM c.recovery_ended_at))::bigint AS recovery_ended_at,
            EXISTS (SELECT 1 FROM fraud_proofs f WHERE f.serial = c.serial) AS proven,
            r.id AS reserve_id
     FROM payer_certificates c
     JOIN accounts a ON a.id = c.account_id
     LEFT JOIN accounts r ON r.user_id = a.user_id AND r.kind = 'reserve' AND r.currency = c.currency
     WHERE c.serial = ANY($1::bigint[])
     ORDER BY c.serial
     FOR NO KEY UPDATE OF c`,
    [serials.map(String)],
  );
  return rows.map((r) => ({
    serial: Number(r.serial),
    currency: r.currency.trim(),
    limit: r.limit_minor,
    settled: r.settled_minor,
    certTbsSource: r.cert,
    customerAccountId: r.account_id,
    reserveAccountId: r.reserve_id,
    released: r.released,
    proven: r.proven,
    recoveryEndedAt: r.recovery_ended_at === null ? null : Number(r.recovery_ended_at),
    version: r.version,
  }));
}

/** A batch payment as the settled-links prefilter needs it. */
export interface BatchLink {
  serial: number;
  counter: number;
  spent: number;
  amount: number;
  paymentId: Uint8Array;
  prev: Uint8Array;
}

/** What one read of the payers' settled payments gives a batch. */
export interface SettledReading {
  /** Settled links that may conflict with a batch payment, by serial, in counter order. */
  links: Map<number, ChainLink[]>;
  /**
   * Hex ids of settled payments among those read: every batch payment settled before is one
   * (same serial, same counter), so this holds each duplicate of the batch.
   */
  ids: Set<string>;
  /**
   * Each serial's certificate row version (`xmin`) in the snapshot the links were read in; a
   * serial without a certificate row is absent.
   */
  versions: Map<number, string>;
}

/**
 * The settled payments under these serials that may conflict with one of `batch` (fraud detection
 * reads them), in (serial, counter) order. A superset of the links `mayConflict`
 * (settlement.domain.ts) accepts against any payment of the batch, decided in SQL so the payers'
 * whole histories never leave Postgres: for each serial, a settled link is read when its counter
 * is at least the batch's lowest counter − 1 (equal, adjacent, or above a batch payment), when its
 * spent exceeds the lowest `spent − amount` of the batch (it could be understated against a later
 * batch payment), or when it is linked by `prev` to a batch payment either way. Any pair
 * `mayConflict` accepts meets one of these, so `findConflict` finds the same first conflict.
 *
 * The same rows answer "which batch payments were settled before": a payment id is the hash of
 * its tbs, so a settled copy of a batch payment has its serial and counter (≥ the lowest − 1) and
 * is read here — one statement instead of two.
 *
 * With the certificate row versions of the same snapshot, so that the read can be done before the
 * certificates are locked and checked after ({@link settledLinksChecked}).
 */
export async function settledLinks(
  tx: Queryable,
  batch: readonly BatchLink[],
  only?: ReadonlySet<number>,
): Promise<SettledReading> {
  const bounds = linkBounds(batch, only);
  if (bounds.size === 0) return emptyReading();
  const p = new StatementParams();
  const sql = `${linksSelect(p, batch, bounds)} ORDER BY cert_serial, counter`;
  return readLinks(await tx.query<LinkRow>(sql, p.values));
}

type Bounds = Map<number, { minCounter: number; minLow: number }>;

/** A row of {@link linksSelect}. */
interface LinkRow {
  cert_serial: bigint | null;
  version: string | null;
  payment_id: Uint8Array | null;
  counter: bigint | null;
  prev: Uint8Array | null;
  spent: bigint | null;
  amount: bigint | null;
}

const emptyReading = (): SettledReading => ({
  links: new Map(),
  ids: new Set(),
  versions: new Map(),
});

/** Per serial of the batch (or of `only`): its lowest counter and lowest `spent − amount`. */
function linkBounds(batch: readonly BatchLink[], only?: ReadonlySet<number>): Bounds {
  const bounds: Bounds = new Map();
  for (const p of batch) {
    if (only && !only.has(p.serial)) continue;
    const b = bounds.get(p.serial);
    const low = p.spent - p.amount;
    if (!b) bounds.set(p.serial, { minCounter: p.counter, minLow: low });
    else {
      if (p.counter < b.minCounter) b.minCounter = p.counter;
      if (low < b.minLow) b.minLow = low;
    }
  }
  return bounds;
}

/**
 * The SELECT of {@link settledLinks}, unordered: one statement, so one snapshot — the versions
 * say exactly which settled payments were visible.
 */
function linksSelect(p: StatementParams, batch: readonly BatchLink[], bounds: Bounds): string {
  return `SELECT c.serial AS cert_serial, c.xmin::text AS version,
            p.payment_id, p.counter, p.prev, p.spent, p.amount
     FROM unnest(${p.add([...bounds.keys()].map(String))}::bigint[],
                 ${p.add([...bounds.values()].map((b) => String(b.minCounter)))}::bigint[],
                 ${p.add([...bounds.values()].map((b) => String(b.minLow)))}::bigint[])
          AS b(serial, min_counter, min_low)
     JOIN payer_certificates c ON c.serial = b.serial
     LEFT JOIN payments p ON p.serial = b.serial AND p.status = 'settled'
      AND (p.counter >= b.min_counter - 1 OR p.spent > b.min_low
           OR p.payment_id = ANY(${p.add(batch.map((x) => bytesParam(x.prev)))}::bytea[])
           OR p.prev = ANY(${p.add(batch.map((x) => bytesParam(x.paymentId)))}::bytea[]))`;
}

/** The rows of {@link linksSelect}, in (serial, counter) order, as a reading. */
function readLinks(rows: readonly LinkRow[]): SettledReading {
  const { links, ids, versions } = emptyReading();
  let list: ChainLink[] = [];
  let listSerial = -1;
  for (const r of rows) {
    if (r.cert_serial === null) continue; // the head row alone: no certificate to read
    const serial = safeInteger(r.cert_serial);
    if (serial !== listSerial) {
      // Rows come in serial order: one list per serial, no map lookup per row.
      list = [];
      listSerial = serial;
      versions.set(serial, r.version!);
    }
    if (r.payment_id === null) continue; // a certificate with no settled link to read
    if (list.length === 0) links.set(serial, list);
    list.push({
      paymentId: r.payment_id,
      serial,
      counter: safeInteger(r.counter!),
      prev: r.prev!,
      spent: safeInteger(r.spent!),
      amount: safeInteger(r.amount!),
    });
    ids.add(hexOf(r.payment_id));
  }
  return { links, ids, versions };
}

/**
 * The settled links of a read made before the certificate locks, made exact under them: a serial
 * whose certificate row version changed since (another settlement committed payments under it
 * meanwhile, or the row was otherwise updated) is read again, now that no one else can add to it
 * until this transaction ends. Every settlement that inserts settled payments updates the
 * certificate row of each of their serials in the same transaction (`addSettled`), so an equal
 * version proves that no settled payment was added under that serial since the first read.
 */
export async function settledLinksChecked(
  tx: Queryable,
  batch: readonly BatchLink[],
  before: SettledReading,
  locked: readonly { serial: number; version: string }[],
): Promise<SettledReading> {
  const stale = new Set<number>();
  for (const c of locked) if (before.versions.get(c.serial) !== c.version) stale.add(c.serial);
  if (stale.size === 0) return before;
  const fresh = await settledLinks(tx, batch, stale);
  const links = new Map(before.links);
  for (const serial of stale) {
    const list = fresh.links.get(serial);
    if (list) links.set(serial, list);
    else links.delete(serial);
  }
  // Ids only grow while the locks are held: the stale serials' settled ids are in `fresh`.
  const ids = new Set(before.ids);
  for (const id of fresh.ids) ids.add(id);
  return { links, ids, versions: new Map([...before.versions, ...fresh.versions]) };
}

/** Hex through Buffer (native), over the same memory: a string per byte costs far more. */
export const hexOf = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** The stored wire bytes of a settled payment (for fraud proofs). */
export async function paymentBytes(
  tx: Queryable,
  paymentId: Uint8Array,
): Promise<Uint8Array | null> {
  const rows = await tx.query<{ signed: Uint8Array }>(
    'SELECT signed FROM payments WHERE payment_id = $1',
    [paymentId],
  );
  return rows[0]?.signed ?? null;
}

/** A payment's column values, as the insert sends them. */
interface PaymentParams {
  serial: string;
  counter: string;
  currency: string;
  amount: string;
  spent: string;
  createdAt: string;
  /** The payer-signed payment as received: its canonical encoding (decoding checked it is). */
  signed: Uint8Array;
}

/**
 * Parameters of payments prepared before their transaction ({@link preparePayments}), by payment
 * object: the transaction then only picks the settled ones. Weak, so nothing outlives its batch.
 */
const prepared = new WeakMap<Payment, PaymentParams>();

function paramsOf(p: Payment): PaymentParams {
  return {
    serial: String(p.serial),
    counter: String(p.counter),
    currency: p.payerCert.currency,
    amount: String(p.amount),
    spent: String(p.spent),
    createdAt: String(p.createdAt),
    signed: encodePayment(p),
  };
}

/**
 * Computes the row parameters of payments that may settle — re-encoding each — before the
 * transaction, so this CPU work is not done while the payers' certificates are locked.
 */
export function preparePayments(payments: readonly Payment[]): void {
  for (const p of payments) if (!prepared.has(p)) prepared.set(p, paramsOf(p));
}

/**
 * The data-modifying CTE (`payment_rows AS (…),`) inserting settled payments, never a row per
 * payment; uses the parameters {@link preparePayments} computed, or computes them. The bytea
 * columns travel in binary: the ids, the prevs (32 bytes each) and the signed payments each
 * concatenated into one `bytea` parameter (node-postgres sends a Buffer parameter in binary, text
 * arrays as text) and cut in SQL by position — no hex to build, send, parse and decode (1,000
 * rows: ~35 % less INSERT time than `decode` over `unnest($n::text[])`, docs/PERFORMANCE.md
 * "Round 3"). Empty when there is nothing to insert.
 */
function settledPaymentWrites(
  p: StatementParams,
  w: { payeeSerial: string; settlementId: string; at: Date; payments: readonly Payment[] },
): string {
  const n = w.payments.length;
  if (n === 0) return '';
  const cols = Array.from({ length: 8 }, () => new Array<string>(n));
  const ids = Buffer.allocUnsafe(32 * n);
  const prevs = Buffer.allocUnsafe(32 * n);
  const signed: Uint8Array[] = new Array<Uint8Array>(n);
  let offset = 1; // SQL positions count from 1
  for (let i = 0; i < n; i++) {
    const pay = w.payments[i]!;
    const r = prepared.get(pay) ?? paramsOf(pay);
    if (pay.paymentId.length !== 32 || pay.prev.length !== 32)
      throw new RangeError('a payment id and prev are 32 bytes');
    ids.set(pay.paymentId, 32 * i);
    prevs.set(pay.prev, 32 * i);
    signed[i] = r.signed;
    cols[0]![i] = r.serial;
    cols[1]![i] = r.counter;
    cols[2]![i] = r.currency;
    cols[3]![i] = r.amount;
    cols[4]![i] = r.spent;
    cols[5]![i] = r.createdAt;
    cols[6]![i] = String(offset);
    cols[7]![i] = String(r.signed.length);
    offset += r.signed.length;
  }
  const [ids$, prevs$, signed$, at] = [ids, prevs, Buffer.concat(signed), w.at].map((v) =>
    p.add(v),
  );
  const [serial, counter, currency, amount, spent, createdAt, off, len] = cols.map((c) => p.add(c));
  return `payment_rows AS (
       INSERT INTO payments (payment_id, serial, counter, prev, payee_serial, currency, amount,
                             spent, signed, created_at, received_at, status, settled_at,
                             settlement_id)
       SELECT substring(${ids$}::bytea FROM (u.i * 32 - 31)::int FOR 32), u.serial, u.counter,
              substring(${prevs$}::bytea FROM (u.i * 32 - 31)::int FOR 32), ${w.payeeSerial},
              u.currency, u.amount, u.spent, substring(${signed$}::bytea FROM u.off FOR u.len),
              to_timestamp(u.created_at), ${at}, 'settled', ${at}, ${w.settlementId}
       FROM unnest(${serial}::bigint[], ${counter}::bigint[], ${currency}::text[],
                   ${amount}::bigint[], ${spent}::bigint[], ${createdAt}::bigint[], ${off}::int[],
                   ${len}::int[]) WITH ORDINALITY
            AS u(serial, counter, currency, amount, spent, created_at, off, len, i)),
     `;
}

/** What a decided batch writes, all of it in {@link recordSettled}. */
export interface SettledRecord {
  /** From {@link lockPayeeHead}. */
  settlementId: bigint;
  payeeSerial: number;
  batchKey: Uint8Array;
  /** The bank-signed result. */
  result: Uint8Array;
  at: Date;
  /** The payments that settle, as rows. */
  payments: readonly Payment[];
  /** The balanced transfers that move their money, checked by the accounts service. */
  transfers: readonly TransferRows[];
  /** The payee's new settled head. */
  head: { nextIndex: number; head: Uint8Array };
  /** What each payer certificate settled in this batch, added to its settled total. */
  settled: ReadonlyMap<number, bigint>;
  audit: ChainedAudit;
}

/**
 * The record phase of a settlement in ONE statement of data-modifying CTEs, under the payee's
 * row lock: the signed result (`settlements`, with the id {@link lockPayeeHead} drew), the
 * settled payments, the transfers and their postings (accounts.repo.ts `transferWrites`), the
 * payer certificates' settled totals, the audit line on the payee's own chain, and the payee's
 * new head. The chain's head is read from the payee's row, held locked since `lockPayeeHead`, so
 * no other lock is taken; Postgres hashes `SHA-256(prefix ‖ head ‖ body)` (auditEntryHash, which
 * `AuditLog.verify()` recomputes), inserts the entry and moves the row's audit head and count
 * (docs/scaling.md "The audit chain"). The sub-statements share one snapshot; foreign keys (the
 * payments' and postings' rows on the settlement's and transfers') are checked at the statement's
 * end, every transfer's balance at COMMIT, and a payment settled meanwhile by another batch still
 * fails the payments' unique constraint.
 */
export async function recordSettled(tx: Queryable, r: SettledRecord): Promise<void> {
  const { audit } = r;
  if (audit.chain !== r.payeeSerial) throw new RangeError('audit chain is not this payee');
  if (Number.isNaN(audit.at.getTime())) throw new RangeError('audit time is not a date');
  if (r.settlementId <= 0n) throw new RangeError('no settlement id was drawn');
  const p = new StatementParams();
  const payee = p.add(r.payeeSerial);
  const id = p.add(r.settlementId.toString());
  const sql = `WITH settlement_row AS (
       INSERT INTO settlements (id, payee_serial, batch_key, result) OVERRIDING SYSTEM VALUE
       VALUES (${id}, ${payee}, ${p.add(r.batchKey)}, ${p.add(r.result)})),
     ${settledPaymentWrites(p, { payeeSerial: payee, settlementId: id, at: r.at, payments: r.payments })}${transferWrites(r.transfers, p)}e AS (
       SELECT prev, sha256(${p.add(audit.prefix)}::bytea || prev || ${p.add(audit.body)}::bytea) AS hash
       FROM (SELECT coalesce(audit_head, ${p.add(audit.genesis)}::bytea) AS prev FROM payee_heads
             WHERE payee_serial = ${payee}) AS h),
     audit_row AS (
       INSERT INTO audit_log (chain, prev_hash, entry_hash, at, actor, action, data)
       SELECT ${payee}, e.prev, e.hash, ${p.add(audit.at)}, ${p.add(audit.actor)},
              ${p.add(audit.action)}, ${p.add(JSON.stringify(audit.data))}::jsonb FROM e),
     certs AS (
       UPDATE payer_certificates c SET settled_minor = c.settled_minor + u.amount
       FROM unnest(${p.add([...r.settled.keys()].map(String))}::bigint[],
                   ${p.add([...r.settled.values()].map(String))}::bigint[]) AS u(serial, amount)
       WHERE c.serial = u.serial)
     UPDATE payee_heads SET next_index = ${p.add(r.head.nextIndex)}, head = ${p.add(r.head.head)},
       updated_at = now(), audit_head = (SELECT hash FROM e), audit_count = audit_count + 1
     WHERE payee_serial = ${payee} RETURNING 1`;
  const rows = await tx.query(sql, p.values);
  if (rows.length !== 1) throw new Error(`payee ${r.payeeSerial} has no head row`);
}
