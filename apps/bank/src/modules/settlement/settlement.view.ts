/**
 * A bank-signed settlement result as the contract's JSON (`settlementEvent`, `settlementAnswer`
 * of @offpay/api): hex for bytes, Unix seconds for the bank clock. The answer to a batch and the
 * live event of it are this view; the answer adds the signed bytes.
 */
import type { EntryCode, settlementAnswer, settlementEvent } from '@offpay/api';
import { toBase64Url, toHex } from '@offpay/crypto';
import type { SettlementResult } from '@offpay/protocol';
import type { z } from 'zod';

/** One answered batch without its signed bytes (what a payee's live stream carries). */
export type SettlementResultView = z.infer<typeof settlementEvent>;

/**
 * A signed result's entry code as the contract types it. This bank signs only codes of that union
 * (the outcomes of decideSettlement), so reading one back is a narrowing, not a check.
 */
function entryCodeOf(code: string): EntryCode | '' {
  return code as EntryCode | '';
}

/** The JSON view of a result. */
export function resultView(result: SettlementResult): SettlementResultView {
  return {
    batchKey: toHex(result.batchKey),
    payeeKid: toHex(result.payeeKid),
    fromIndex: result.fromIndex,
    head: toHex(result.head),
    settledAt: result.settledAt,
    results: result.results.map((r) => ({
      index: r.index,
      paymentId: toHex(r.paymentId),
      status: r.status,
      code: entryCodeOf(r.code),
    })),
  };
}

/** The answer to a batch: its view, whether it was replayed, and the signed bytes. */
export function answerView(
  result: SettlementResult,
  signed: Uint8Array,
  replayed: boolean,
): z.infer<typeof settlementAnswer> {
  return { ...resultView(result), replayed, signed: toBase64Url(signed) };
}
