/** Live settlement events: what a payee's stream carries, and the channel it travels on. */
import { toHex } from '@offpay/crypto';
import type { SettlementResult } from '@offpay/protocol';

/** One answered batch, as GET /v1/settlements/events sends it (hex strings, Unix seconds). */
export interface SettlementEvent {
  batchKey: string;
  payeeKid: string;
  fromIndex: number;
  head: string;
  settledAt: number;
  results: { index: number; paymentId: string; status: string; code: string }[];
}

/** The pub/sub channel of one payee certificate: every instance publishes and listens there. */
export function payeeChannel(payeeKidHex: string): string {
  return `settlements:${payeeKidHex}`;
}

/** The event of a settled batch. */
export function settlementEvent(result: SettlementResult): SettlementEvent {
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
      code: r.code,
    })),
  };
}

/**
 * True when a message from the bus can go into an SSE `data:` line as is. JSON.stringify never
 * writes a raw line break; anything else on the channel is not ours and is dropped.
 */
export function isSafeEventData(message: string): boolean {
  return message.startsWith('{') && !/[\r\n]/.test(message);
}
