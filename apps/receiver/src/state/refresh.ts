/**
 * The quiet refresh whenever the till is online (DESIGN.md §3): the bank-signed revocation list
 * (kept when its sequence is newer), the bank's clock, and any fraud proof waiting to be handed
 * over. A failure never blocks offline use: the caller shows it as a small info line.
 */
import { verifyRevocationList } from '@offpay/protocol';
import { rememberBankTime, type AppDb, type BankClient } from '@offpay/app-kit';
import { submitFraudProofs } from './fraud.js';
import { KEY, revocationSeq, type Till } from './store.js';

/** What a refresh learned. */
export interface RefreshOutcome {
  /** Sequence number of the list now held. */
  seq: number;
  /** True when a newer list was stored. */
  updated: boolean;
  /** Fraud proofs the bank took this time. */
  proofsSubmitted: number;
}

/**
 * Fetches and verifies the revocation list, stores it when newer, remembers the bank time and
 * submits pending fraud proofs.
 * @throws AppError APP_OFFLINE, APP_BANK_RESPONSE; PROTO_* when the list does not verify
 */
export async function refreshFromBank(
  db: AppDb,
  till: Till,
  bank: BankClient,
): Promise<RefreshOutcome> {
  const info = await bank.revocations();
  const list = verifyRevocationList(info.signed, till.bankKeys);
  const held = await revocationSeq(db);
  const updated = list.seq > held;
  if (updated) {
    await db.write([{ put: KEY.revocations, value: { seq: list.seq, signed: info.signed } }]);
  }
  await rememberBankTime(db, info.bankTime);
  const proofsSubmitted = await submitFraudProofs(db, bank);
  return { seq: Math.max(held, list.seq), updated, proofsSubmitted };
}
