/**
 * Live settlement outcomes (DESIGN.md §5 "Redis roles"): every settled batch is published on its
 * payee's pub/sub channel, so a stream open on any instance sees batches settled on every other.
 * A notification, never a record: the signed result stays at GET /v1/settlements/:batchKey.
 */
import { toHex } from '@offpay/crypto';
import type { Database } from '../../db/queryable.js';
import { bankFail } from '../../errors.js';
import type { PubSub, Unsubscribe } from '../../kv/kv.js';
import type { SettlementObserver } from '../settlement/settlement.ports.js';
import { isSafeEventData, payeeChannel, settlementEvent } from './events.domain.js';
import { payeeKidsOfUser } from './events.repo.js';

/** Payee certificates one stream may follow at most. */
export const MAX_PAYEES_PER_STREAM = 100;

/** Live events of settlement outcomes. */
export interface SettlementEvents {
  /** Publishes every settled (not replayed) batch on its payee's channel; never throws. */
  readonly observer: SettlementObserver;
  /**
   * The payee kids (hex) a stream of `userId` follows: `requested` when it is one of theirs,
   * else all of theirs (newest {@link MAX_PAYEES_PER_STREAM}).
   * @throws BANK_PAYEE_NOT_FOUND when `requested` is not theirs or they have none
   */
  followable(userId: string, requested?: string): Promise<string[]>;
  /**
   * Calls `listener` with each event (JSON text) of `payeeKids` until the returned function is
   * called. At most `maxStreamsPerUser` subscriptions per user on this instance.
   * @throws BANK_RATE_LIMITED over that bound, BANK_UNAVAILABLE when the bus cannot subscribe
   */
  subscribe(
    userId: string,
    payeeKids: string[],
    listener: (data: string) => void,
  ): Promise<Unsubscribe>;
}

/** Dependencies of {@link createSettlementEvents}. */
export interface EventsDeps {
  db: Database;
  pubsub: PubSub;
  maxStreamsPerUser: number;
}

/** Builds the live-events service. */
export function createSettlementEvents(deps: EventsDeps): SettlementEvents {
  const open = new Map<string, number>();
  const release = (userId: string) => {
    const left = (open.get(userId) ?? 1) - 1;
    if (left > 0) open.set(userId, left);
    else open.delete(userId);
  };
  return {
    observer: publishingObserver(deps.pubsub),
    async followable(userId, requested) {
      const kids = (await payeeKidsOfUser(deps.db, userId, MAX_PAYEES_PER_STREAM)).map(toHex);
      const chosen = requested === undefined ? kids : kids.filter((k) => k === requested);
      if (chosen.length === 0) {
        bankFail('BANK_PAYEE_NOT_FOUND', 'You have no payee certificate to follow with this kid', {
          payeeKid: requested ?? '',
        });
      }
      return chosen;
    },
    async subscribe(userId, payeeKids, listener) {
      const count = open.get(userId) ?? 0;
      if (count >= deps.maxStreamsPerUser) {
        bankFail('BANK_RATE_LIMITED', `At most ${deps.maxStreamsPerUser} open event streams`, {
          limit: deps.maxStreamsPerUser,
          retryAfterSeconds: 5,
        });
      }
      open.set(userId, count + 1);
      try {
        return once(await subscribeAll(deps.pubsub, payeeKids, listener), () => release(userId));
      } catch (err) {
        release(userId);
        throw err;
      }
    },
  };
}

/** Publishes each settled batch on its payee's channel; replays are no news. */
function publishingObserver(pubsub: PubSub): SettlementObserver {
  return {
    answered: ({ result, replayed }) => {
      if (replayed) return;
      const event = settlementEvent(result);
      // A failed publish is counted (offpay_redis_failures_total{role="pubsub"}) and dropped.
      void pubsub
        .publish(payeeChannel(event.payeeKid), JSON.stringify(event))
        .catch(() => undefined);
    },
  };
}

/** Subscribes to every payee's channel, or to none. @throws BANK_UNAVAILABLE */
async function subscribeAll(
  pubsub: PubSub,
  payeeKids: string[],
  listener: (data: string) => void,
): Promise<Unsubscribe> {
  const safe = (data: string) => {
    if (isSafeEventData(data)) listener(data);
  };
  const settled = await Promise.allSettled(
    payeeKids.map((kid) => pubsub.subscribe(payeeChannel(kid), safe)),
  );
  const done = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const all = async () => {
    await Promise.all(done.map((unsubscribe) => unsubscribe()));
  };
  if (done.length < settled.length) {
    await all();
    bankFail('BANK_UNAVAILABLE', 'Live events are unavailable right now; retry later');
  }
  return all;
}

/** An unsubscribe that runs once, then `after`. */
function once(unsubscribe: Unsubscribe, after: () => void): Unsubscribe {
  let closed = false;
  return async () => {
    if (closed) return;
    closed = true;
    after();
    await unsubscribe();
  };
}
