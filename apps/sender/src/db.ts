/**
 * The wallet's database, `offpay-sender` version 2:
 * - `meta`: singletons by name — the vault, the bank address, the last bank time, the pinned
 *   bank keys and revocation list (app-kit), and `mustEnroll` after a restore;
 * - `chain`: the current payer certificate with its chain state, keyed by serial (one record:
 *   enrolling replaces it);
 * - `history`: one record per payment made, keyed by paymentId, with the index `request` on
 *   [payeeKid, requestId] — a request is paid once.
 * Every row read back is parsed here like outside input.
 */
import { kid, toHex } from '@offpay/crypto';
import { decodePayeeCertificate, type PayerChainState } from '@offpay/protocol';
import {
  asRow,
  bytes,
  count,
  currency,
  defineSchema,
  hex,
  oneOf,
  optional,
  row,
  rowParser,
  text,
  type Db,
  type Snapshot,
  type V1Snapshot,
} from '@offpay/app-kit';

/** Meta keys of the wallet's own singletons (the kit's are bankUrl, bankKeys, revocations…). */
export const MUST_ENROLL = 'mustEnroll';

/** Name of the payer's signing key in the vault. */
export const PAYER_KEY = 'payerKey';

/** The current certificate's wire bytes and its chain state. */
export interface ChainRecord extends PayerChainState {
  certificate: Uint8Array;
}

/** Where a payment stands, in the words the History screen shows. */
export type PaymentState = 'sent' | 'receipted' | 'settled' | 'rejected';
export const PAYMENT_STATES: readonly PaymentState[] = ['sent', 'receipted', 'settled', 'rejected'];

/** The payee's receipt, as checked (receipt.ts). */
export interface ReceiptInfo {
  index: number;
  entryHash: string;
  acceptedAt: number;
  bytes: Uint8Array;
}

/** One payment made by this wallet. */
export interface HistoryItem {
  /** paymentId, hex (the key). */
  paymentId: string;
  /** Serial of the payer certificate it was made under. */
  serial: number;
  counter: number;
  /** Minor units of `currency`. */
  amount: number;
  currency: string;
  /** kid of the payee (hex): with `requestId`, the request it answers. */
  payeeKid: string;
  /** The payee's bank-verified display name. */
  payeeName: string;
  memo: string;
  /** Unix seconds, device clock (checked against the bank's). */
  createdAt: number;
  state: PaymentState;
  /** The sealed payment exactly as first shown: reopened, it is shown again, never re-signed. */
  sealed: Uint8Array;
  /** requestId of the PaymentRequest it answers, hex. */
  requestId: string;
  /** The payee certificate's wire bytes, to check the receipt. */
  payeeCert: Uint8Array;
  receipt?: ReceiptInfo;
  /** When the bank settled it (ISO 8601), once known. */
  settledAt?: string;
  /** Minor units the merchant refunded of it, as the bank's last sync said (absent: none). */
  refunded?: number;
}

const parseChain = rowParser<ChainRecord>({
  serial: count,
  counter: count,
  spent: count,
  lastPaymentId: bytes(32),
  certificate: bytes(1, 1024),
});

const parseReceipt = rowParser<ReceiptInfo>({
  index: count,
  acceptedAt: count,
  entryHash: hex(32),
  bytes: bytes(1, 512),
});

/** A history row read back, checked field by field; undefined when it is damaged. */
export const parseHistoryItem = rowParser<HistoryItem>({
  paymentId: hex(32),
  serial: count,
  counter: count,
  amount: count,
  currency,
  payeeKid: hex(8),
  payeeName: text(256),
  memo: text(256),
  createdAt: count,
  state: oneOf(...PAYMENT_STATES),
  sealed: bytes(1, 2048),
  requestId: hex(16),
  payeeCert: bytes(1, 512),
  receipt: optional(row(parseReceipt)),
  settledAt: optional(text(256)),
  refunded: optional(count),
});

/** kid (hex) of the payee certificate in `bytes`, or undefined when they do not decode. */
function payeeKidOf(bytes: unknown): string | undefined {
  try {
    return bytes instanceof Uint8Array
      ? toHex(kid(decodePayeeCertificate(bytes).signKey))
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Version 1 → 2: the state rows stay in `meta` except the certificate and chain (now one `chain`
 * record) and the `paid:<payeeKid>:<requestId>` links (now the history's `request` index, each
 * record given its payeeKid — from its link, else from its payee certificate).
 */
export function walletFromV1(old: V1Snapshot): Snapshot {
  const state = new Map(old.state);
  const paidBy = new Map<unknown, string>();
  const meta: [string, unknown][] = [];
  for (const [key, value] of old.state) {
    const paid = /^paid:([0-9a-f]{16}):[0-9a-f]{32}$/.exec(key);
    if (paid) paidBy.set(value, paid[1]!);
    else if (key !== 'certificate' && key !== 'chain') meta.push([key, value]);
  }
  const chain = asRow(state.get('chain'));
  const certificate = state.get('certificate');
  const rows: [number, unknown][] = [];
  if (chain && count(chain['serial']) && certificate instanceof Uint8Array) {
    // Checked by count(): a safe integer.
    rows.push([chain['serial'], { ...chain, certificate }]);
  } else {
    // Not a chain this version can hold: kept as it was, unused (the wallet enrolls again).
    for (const key of ['certificate', 'chain'])
      if (state.has(key)) meta.push([key, state.get(key)]);
  }
  const history: [string, unknown][] = [];
  for (const [, value] of old.logs.history) {
    const item = asRow(value);
    if (!item || typeof item['paymentId'] !== 'string') continue;
    const payeeKid = paidBy.get(item['paymentId']) ?? payeeKidOf(item['payeeCert']);
    history.push([item['paymentId'], { ...item, payeeKid }]);
  }
  return { stores: { meta, chain: rows, history } };
}

/** The wallet's schema. */
export const walletSchema = defineSchema({
  name: 'offpay-sender',
  version: 2,
  stores: {
    meta: { parse: (row: unknown) => row },
    chain: { keyPath: 'serial', parse: parseChain },
    history: {
      keyPath: 'paymentId',
      // Not unique: a request is paid once under the wallet lock, and an older database may
      // hold two payments for one request (made before the wallet kept the link).
      indexes: { request: { keyPath: ['payeeKid', 'requestId'] } },
      parse: parseHistoryItem,
    },
  },
  fromV1: walletFromV1,
});

/** The wallet's open database. */
export type WalletDb = Db<typeof walletSchema.stores>;

/** The wallet's reads, on the database or inside one of its transactions (`WalletDb.transaction`). */
export type WalletReads = Pick<
  WalletDb,
  'name' | 'get' | 'all' | 'byIndex' | 'count' | 'counted' | 'last'
>;
