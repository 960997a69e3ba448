/** Live settlement events: what a payee's stream carries, and the channel it travels on. */
import type { SettlementResult } from '@offpay/protocol';
import { resultView, type SettlementResultView } from '../settlement/settlement.view.js';

/** One answered batch, as GET /v1/settlements/events sends it (the contract's `settlementEvent`). */
export type SettlementEvent = SettlementResultView;

/** The pub/sub channel of one payee certificate: every instance publishes and listens there. */
export function payeeChannel(payeeKidHex: string): string {
  return `settlements:${payeeKidHex}`;
}

/** The event of a settled batch. */
export function settlementEvent(result: SettlementResult): SettlementEvent {
  return resultView(result);
}

/**
 * True when a message from the bus can go into an SSE `data:` line as is. JSON.stringify never
 * writes a raw line break; anything else on the channel is not ours and is dropped.
 */
export function isSafeEventData(message: string): boolean {
  return message.startsWith('{') && !/[\r\n]/.test(message);
}
