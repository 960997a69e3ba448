/**
 * SQL of settlement: the payers' settled links a batch may conflict with (fraud detection and
 * duplicates), read in one statement — alone, or inside the payee head's lock statement
 * (`settlement.repo.ts` `lockPayeeHead`) — and made exact under the certificate locks.
 */
import type { ChainLink } from '@offpay/protocol';
import type { Queryable } from '../../db/queryable.js';
import { named } from '../../db/statements.js';
import { bytesParam, safeInteger, StatementParams } from '../../db/values.js';

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
  return readLinks(await tx.query<LinkRow>(named('settled_links', sql), p.values));
}

/** Per serial of a batch: its lowest counter and lowest `spent − amount` ({@link linkBounds}). */
export type Bounds = Map<number, { minCounter: number; minLow: number }>;

/** A row of {@link linksSelect}. */
export interface LinkRow {
  cert_serial: bigint | null;
  version: string | null;
  payment_id: Uint8Array | null;
  counter: bigint | null;
  prev: Uint8Array | null;
  spent: bigint | null;
  amount: bigint | null;
}

/** A reading with nothing in it. */
export const emptyReading = (): SettledReading => ({
  links: new Map(),
  ids: new Set(),
  versions: new Map(),
});

/** Per serial of the batch (or of `only`): its lowest counter and lowest `spent − amount`. */
export function linkBounds(batch: readonly BatchLink[], only?: ReadonlySet<number>): Bounds {
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
export function linksSelect(
  p: StatementParams,
  batch: readonly BatchLink[],
  bounds: Bounds,
): string {
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
export function readLinks(rows: readonly LinkRow[]): SettledReading {
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
