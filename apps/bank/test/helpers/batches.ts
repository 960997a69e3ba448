/**
 * Settlement batches as a receiver sends them: built from its ledger, signed, sealed to the
 * bank's KEM key and POSTed; a batch built by hand for what the library refuses to build; and a
 * settled payment written straight into the books for tests about what settled, not how.
 */
import { compressPublicKey, fromHex, randomBytes, sign, toBase64Url } from '@offpay/crypto';
import {
  decodePayment,
  encodeCbor,
  encodeSettlementBatch,
  ledgerEntryHash,
  messageId,
  sealSettlementBatch,
  SIGN_LABEL,
  signedBytes,
  signSettlementBatch,
  VERSION,
  type CborValue,
  type LedgerHead,
  type Payment,
} from '@offpay/protocol';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { TestBank } from './bank.js';
import type { PayeeDevice } from './devices.js';
import type { User } from './users.js';

/** One entry of a settlement answer. */
export interface EntryResultView {
  index: number;
  paymentId: string;
  status: 'settled' | 'duplicate' | 'rejected';
  code: string;
}

/** The bank's current KEM public key (compressed), from GET /v1/keys. */
export async function bankKemKey(bank: TestBank): Promise<Uint8Array> {
  const res = await bank.get('/v1/keys');
  const keys = res.json<{ kemKeys: { publicKey: string; retiredAt: string | null }[] }>().kemKeys;
  const current = keys.find((k) => k.retiredAt === null) ?? keys[keys.length - 1]!;
  return compressPublicKey(fromHex(current.publicKey));
}

/** A sealed batch of the payee's unsettled entries (or of `payments` from the settled head). */
export async function sealedBatch(
  bank: TestBank,
  payee: PayeeDevice,
  payments?: Payment[],
): Promise<{ sealed: Uint8Array; batchKey: Uint8Array }> {
  const list =
    payments ?? payee.ledger.slice(payee.settled.nextIndex).map((e) => decodePayment(e.payment));
  const batch = signSettlementBatch(
    { payeeKid: payee.kid, from: payee.settled, payments: list },
    payee.secretKey,
  );
  return {
    sealed: sealSettlementBatch(encodeSettlementBatch(batch), await bankKemKey(bank)),
    batchKey: batch.batchKey,
  };
}

/** POSTs a sealed batch as raw CBOR (to `app`, another instance, when given). */
export function postBatch(
  bank: TestBank,
  sealed: Uint8Array,
  headers: Record<string, string> = {},
  app: FastifyInstance = bank.app,
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/v1/settlements',
    headers: { 'content-type': 'application/cbor', ...headers },
    payload: Buffer.from(sealed),
  });
}

/**
 * Settles `payments` as the payee's next batch from its settled head, expects 200, moves the
 * payee's settled head to the bank's, and returns the per-entry results.
 */
export async function settleEntries(
  bank: TestBank,
  payee: PayeeDevice,
  payments: Payment[],
): Promise<EntryResultView[]> {
  const res = await postBatch(bank, (await sealedBatch(bank, payee, payments)).sealed);
  if (res.statusCode !== 200) throw new Error(`settle: ${res.statusCode} ${res.body}`);
  const body = res.json<{ results: EntryResultView[]; head: string; fromIndex: number }>();
  payee.settled = { nextIndex: body.fromIndex + payments.length, head: fromHex(body.head) };
  return body.results;
}

/**
 * A settlement batch built by hand, for batches the library refuses to build: any entries (CBOR
 * values whose first item is the payment tbs), any head (default: folded over the entries from
 * `from`), signed by `signer` over the label (or carrying `signature` as is). Not sealed.
 */
export function rawBatch(input: {
  payeeKid: Uint8Array;
  from: LedgerHead;
  entries: CborValue[];
  signer: Uint8Array;
  head?: Uint8Array;
  signature?: Uint8Array;
}): { bytes: Uint8Array; batchKey: Uint8Array } {
  let head = input.from.head;
  // A given head is taken as is: entries without an id (hostile ones) have no chain to fold.
  if (!input.head) {
    for (const e of input.entries) {
      head = ledgerEntryHash(head, messageId(SIGN_LABEL.payment, (e as Uint8Array[])[0]!));
    }
  }
  const tbs = encodeCbor([
    VERSION,
    input.payeeKid,
    input.from.nextIndex,
    input.from.head,
    input.entries,
    input.head ?? head,
  ]);
  const signature =
    input.signature ?? sign(signedBytes(SIGN_LABEL.settlementBatch, tbs), input.signer);
  return {
    bytes: encodeCbor([tbs, signature]),
    batchKey: messageId(SIGN_LABEL.settlementBatch, tbs),
  };
}

/**
 * Writes one settled payment straight into the books, as settlement would leave them: a settled
 * row in `payments`, the certificate's settled total, and the money from the payer's reserve (or,
 * for a recovery, its customer account) to the payee. For tests about what settled, not how.
 * Returns the payment id (hex).
 */
export async function recordSettledPayment(
  bank: TestBank,
  p: {
    payer: User;
    payerSerial: number;
    payee: User;
    payeeSerial: number;
    counter: number;
    amount: bigint;
    settledAt: Date;
    /** Recovery beyond the reserve: from the payer's customer account. */
    fromCustomer?: boolean;
  },
): Promise<string> {
  const paymentId = randomBytes(32);
  await bank.db.transaction(async (tx) => {
    const kind = p.fromCustomer ? 'customer' : 'reserve';
    const [from] = await tx.query<{ id: string }>(
      'SELECT id FROM accounts WHERE user_id = $1 AND kind = $2',
      [p.payer.userId, kind],
    );
    await bank.app.services.accounts.transfer(tx, {
      kind: p.fromCustomer ? 'recovery' : 'settlement',
      reference: `test:${toBase64Url(paymentId)}`,
      legs: [
        { accountId: from!.id, amount: -p.amount },
        { accountId: p.payee.accountId, amount: p.amount },
      ],
    });
    await tx.query(
      `INSERT INTO payments (payment_id, serial, counter, prev, payee_serial, currency, amount, spent,
         signed, created_at, received_at, status, settled_at)
       VALUES ($1, $2, $3, $4, $5, 'EUR', $6, $6, '\\x00', $7, $7, 'settled', $7)`,
      [
        paymentId,
        p.payerSerial,
        p.counter,
        randomBytes(32),
        p.payeeSerial,
        p.amount.toString(),
        p.settledAt,
      ],
    );
    await tx.query(
      'UPDATE payer_certificates SET settled_minor = settled_minor + $2 WHERE serial = $1',
      [p.payerSerial, p.amount.toString()],
    );
  });
  return Buffer.from(paymentId).toString('hex');
}
