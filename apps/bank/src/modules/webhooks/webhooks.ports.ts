/**
 * The one thing other modules need from webhooks: writing an event to the outbox inside their
 * own transaction (docs/webhooks.md). Settlement, refunds and payouts receive it from
 * plugins/services.ts and never import the webhooks service.
 */
import type { WebhookEventType } from '@offpay/api';
import type { Queryable } from '../../db/queryable.js';

/** Whose endpoints an event goes to: a user, or the owner of a customer account. */
export type WebhookOwner = { userId: string } | { accountId: string };

/** A JSON value as event data holds it (amounts as decimal strings, never numbers). */
export type EventData = { [key: string]: EventValue };
type EventValue = string | number | boolean | null | EventValue[] | { [key: string]: EventValue };

/** The transactional outbox of webhook events. */
export interface WebhookOutbox {
  /**
   * Writes one delivery of event `type` per enabled endpoint of `owner` that takes it, inside
   * `tx` — so the event exists exactly when the transaction commits. No endpoint, no row.
   * Returns how many deliveries were written.
   */
  enqueue(
    tx: Queryable,
    owner: WebhookOwner,
    type: WebhookEventType,
    data: EventData,
  ): Promise<number>;
}
