/**
 * Version 1 → 2 of the till's database (db.ts), nothing lost: the ledger log becomes the `ledger`
 * store (each entry gains the fields its payment already held — spent, prev — and the memo of the
 * request it paid); the history log's `request:`, `outcome:` and `fraud:` rows become their
 * stores; the pending batches leave their state row for the `batches` store; the current request
 * is kept by id. The hand-kept indexes (`acc:`, `payer:`, `ledgerIndex`) are dropped: the
 * `ledger` store's indexes answer what they did. Every other state row stays in `meta`.
 */
import { toHex } from '@offpay/crypto';
import { decodePayment } from '@offpay/protocol';
import type { Snapshot, V1Snapshot } from '@offpay/app-kit';

type Row = Record<string, unknown>;
const asRow = (v: unknown): Row | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Row) : undefined;
const without = (r: Row, key: string): Row =>
  Object.fromEntries(Object.entries(r).filter(([k]) => k !== key));

/** The fields a v1 entry's payment holds and the entry now keeps beside it. */
function fromPayment(bytes: unknown): Row {
  try {
    const p = decodePayment(bytes as Uint8Array);
    return { spent: p.spent, prev: p.prev };
  } catch {
    return {}; // read back as damaged, as it was: the ledger check names it
  }
}

/** The requests, outcomes and fraud proofs of the v1 history log. */
function splitHistory(history: [string, unknown][]) {
  const requests: [Uint8Array, Row][] = [];
  const outcomes: [number, Row][] = [];
  const fraud: [string, Row][] = [];
  for (const [key, value] of history) {
    const r = asRow(value);
    if (!r) continue;
    if (r['kind'] === 'request' && r['requestId'] instanceof Uint8Array) {
      requests.push([r['requestId'], without(r, 'kind')]);
    } else if (r['kind'] === 'outcome' && typeof r['index'] === 'number') {
      outcomes.push([r['index'], without(r, 'kind')]);
    } else if (r['kind'] === 'fraud' && key.startsWith('fraud:')) {
      const id = key.slice('fraud:'.length);
      fraud.push([id, { ...without(r, 'kind'), id }]);
    }
  }
  return { requests, outcomes, fraud };
}

const DERIVED = /^(acc:|payer:|ledgerIndex$)/;

/** The v1 state rows: the settings for `meta`, the pending batches, the current request's id. */
function splitState(state: [string, unknown][], requests: [Uint8Array, Row][]) {
  const meta: [string, unknown][] = [];
  const batches: [string, unknown][] = [];
  for (const [key, value] of state) {
    const r = asRow(value);
    if (DERIVED.test(key)) continue;
    if (key === 'pendingBatches' && Array.isArray(value)) {
      for (const b of value) {
        const batch = asRow(b);
        if (typeof batch?.['batchKey'] === 'string') batches.push([batch['batchKey'], batch]);
      }
    } else if (key === 'currentRequest' && r?.['requestId'] instanceof Uint8Array) {
      const id = r['requestId'];
      if (!requests.some(([rid]) => toHex(rid) === toHex(id)))
        requests.push([id, without(r, 'kind')]);
      meta.push([key, toHex(id)]);
    } else meta.push([key, value]);
  }
  return { meta, batches };
}

/** The till's rows of a version-1 database (or backup) in the version-2 stores. */
export function tillFromV1(old: V1Snapshot): Snapshot {
  const { requests, outcomes, fraud } = splitHistory(old.logs.history);
  const memos = new Map<unknown, string>();
  for (const [, r] of requests) {
    if (r['status'] === 'paid' && typeof r['memo'] === 'string')
      memos.set(r['paidIndex'], r['memo']);
  }
  const { meta, batches } = splitState(old.state, requests);
  const ledger: [number, Row][] = [];
  const ids = new Set<string>();
  const setAside: unknown[] = [];
  for (const [, value] of old.logs.ledger) {
    const r = asRow(value);
    const id = r?.['paymentId'] instanceof Uint8Array ? toHex(r['paymentId']) : undefined;
    // A row the ledger store cannot hold (no index, a payment id seen twice) is kept aside: the
    // ledger check then names the damage it already was.
    if (!r || typeof r['index'] !== 'number' || !id || ids.has(id)) {
      setAside.push(value);
      continue;
    }
    ids.add(id);
    ledger.push([
      r['index'],
      { ...r, ...fromPayment(r['payment']), memo: memos.get(r['index']) ?? '' },
    ]);
  }
  if (setAside.length > 0) meta.push(['v1LedgerSetAside', setAside]);
  return { stores: { meta, ledger, requests, outcomes, fraud, batches } };
}
