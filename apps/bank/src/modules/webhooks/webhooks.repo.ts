/** SQL of merchant webhooks: endpoints, the outbox of deliveries, and the delivery logs. */
import type { WebhookEventType } from '@offpay/api';
import type { Queryable } from '../../db/queryable.js';
import type { WebhookOwner } from './webhooks.ports.js';

/** A registered endpoint (its sealed secret stays in the repository's callers' hands). */
export interface EndpointRow {
  id: string;
  userId: string;
  url: string;
  events: WebhookEventType[];
  enabled: boolean;
  createdAt: Date;
  disabledAt: Date | null;
}

/** One delivery as the logs show it. */
export interface DeliveryRow {
  seq: bigint;
  eventId: string;
  endpointId: string;
  userId: string;
  url: string;
  type: WebhookEventType;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  createdAt: Date;
  nextAttemptAt: Date;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
}

/** A delivery the worker has claimed for one attempt. */
export interface ClaimedDelivery {
  seq: bigint;
  eventId: string;
  type: WebhookEventType;
  payloadJson: string;
  createdAt: Date;
  attempts: number;
  endpointId: string;
  url: string;
  sealedSecret: Uint8Array;
}

const ENDPOINT_COLUMNS = `id, user_id, url, event_types, enabled, created_at, disabled_at`;

type EndpointDb = {
  id: string;
  user_id: string;
  url: string;
  event_types: WebhookEventType[];
  enabled: boolean;
  created_at: Date;
  disabled_at: Date | null;
};

function endpoint(r: EndpointDb): EndpointRow {
  return {
    id: r.id,
    userId: r.user_id,
    url: r.url,
    events: r.event_types,
    enabled: r.enabled,
    createdAt: r.created_at,
    disabledAt: r.disabled_at,
  };
}

/**
 * Whether `userId` is a verified merchant, else the state of its latest application (none when
 * it never applied).
 */
export async function merchantState(
  q: Queryable,
  userId: string,
): Promise<'verified' | 'none' | 'pending' | 'refused'> {
  const rows = await q.query<{ verified: boolean; state: string | null }>(
    `SELECT EXISTS (SELECT 1 FROM merchants WHERE user_id = $1) AS verified,
            (SELECT state FROM merchant_applications WHERE user_id = $1
              ORDER BY submitted_at DESC LIMIT 1) AS state`,
    [userId],
  );
  const r = rows[0];
  if (r?.verified) return 'verified';
  return r?.state === 'pending' || r?.state === 'refused' ? r.state : 'none';
}

/** Locks the user's row: registrations of one user queue here, so the count bound holds. */
export async function lockUser(tx: Queryable, userId: string): Promise<void> {
  await tx.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [userId]);
}

/** How many enabled endpoints `userId` has. */
export async function countEnabled(q: Queryable, userId: string): Promise<number> {
  const rows = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM webhook_endpoints WHERE user_id = $1 AND enabled`,
    [userId],
  );
  return rows[0]?.n ?? 0;
}

/** Inserts an endpoint with its sealed secret. */
export async function insertEndpoint(
  tx: Queryable,
  e: {
    id: string;
    userId: string;
    url: string;
    sealedSecret: Uint8Array;
    events: readonly WebhookEventType[];
    at: Date;
  },
): Promise<EndpointRow> {
  const rows = await tx.query<EndpointDb>(
    `INSERT INTO webhook_endpoints (id, user_id, url, sealed_secret, event_types, created_at)
     VALUES ($1, $2, $3, $4, $5::text[], $6) RETURNING ${ENDPOINT_COLUMNS}`,
    [e.id, e.userId, e.url, e.sealedSecret, e.events, e.at],
  );
  return endpoint(rows[0]!);
}

/** `userId`'s endpoints, enabled first, newest first. */
export async function listEndpoints(
  q: Queryable,
  userId: string,
  limit: number,
): Promise<EndpointRow[]> {
  const rows = await q.query<EndpointDb>(
    `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE user_id = $1
     ORDER BY enabled DESC, created_at DESC, id LIMIT $2`,
    [userId, limit],
  );
  return rows.map(endpoint);
}

/** `userId`'s endpoint `id`, or null (someone else's is as unknown as none). */
export async function findEndpoint(
  q: Queryable,
  userId: string,
  id: string,
): Promise<EndpointRow | null> {
  const rows = await q.query<EndpointDb>(
    `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1 AND user_id = $2`,
    [id, userId],
  );
  return rows[0] ? endpoint(rows[0]) : null;
}

/** Disables an enabled endpoint and gives up its pending deliveries. */
export async function disableEndpoint(tx: Queryable, id: string, at: Date): Promise<void> {
  await tx.query(
    `UPDATE webhook_endpoints SET enabled = false, disabled_at = $2 WHERE id = $1 AND enabled`,
    [id, at],
  );
  await tx.query(
    `UPDATE webhook_deliveries SET status = 'failed', last_error = 'endpoint disabled'
     WHERE endpoint_id = $1 AND status = 'pending'`,
    [id],
  );
}

/**
 * One delivery of event `eventId` per enabled endpoint of `owner` that takes `type`, due now
 * (database time). One statement; nothing when the owner has no such endpoint.
 */
export async function enqueue(
  tx: Queryable,
  e: {
    eventId: string;
    owner: WebhookOwner;
    type: WebhookEventType;
    payloadJson: string;
    at: Date;
  },
): Promise<number> {
  const owner =
    'userId' in e.owner
      ? { sql: '$5::uuid', value: e.owner.userId }
      : { sql: '(SELECT user_id FROM accounts WHERE id = $5)', value: e.owner.accountId };
  const rows = await tx.query<{ seq: bigint }>(
    `INSERT INTO webhook_deliveries
       (event_id, endpoint_id, event_type, payload, created_at, next_attempt_at)
     SELECT $1, id, $2, $3::jsonb, $4, now() FROM webhook_endpoints
     WHERE user_id = ${owner.sql} AND enabled AND $2 = ANY (event_types)
     RETURNING seq`,
    [e.eventId, e.type, e.payloadJson, e.at, owner.value],
  );
  return rows.length;
}

/**
 * Claims up to `limit` due deliveries for one attempt each: counts the attempt and leases the row
 * for `leaseMs` (if this worker dies, the row is due again then). SKIP LOCKED: instances running
 * this at once take different rows. Deliveries of disabled endpoints are never taken.
 */
export async function claimDue(
  q: Queryable,
  limit: number,
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  const rows = await q.query<{
    seq: bigint;
    event_id: string;
    event_type: WebhookEventType;
    payload: string;
    created_at: Date;
    attempts: number;
    endpoint_id: string;
    url: string;
    sealed_secret: Uint8Array;
  }>(
    `WITH due AS (
       SELECT d.seq FROM webhook_deliveries d
       JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled
       WHERE d.status = 'pending' AND d.next_attempt_at <= now()
       ORDER BY d.next_attempt_at LIMIT $1
       FOR UPDATE OF d SKIP LOCKED
     )
     UPDATE webhook_deliveries d
       SET attempts = d.attempts + 1, last_attempt_at = now(),
           next_attempt_at = now() + $2 * interval '1 millisecond'
     FROM due, webhook_endpoints e
     WHERE d.seq = due.seq AND e.id = d.endpoint_id
     RETURNING d.seq, d.event_id, d.event_type, d.payload::text AS payload, d.created_at,
               d.attempts, e.id AS endpoint_id, e.url, e.sealed_secret`,
    [limit, leaseMs],
  );
  return rows.map((r) => ({
    seq: r.seq,
    eventId: r.event_id,
    type: r.event_type,
    payloadJson: r.payload,
    createdAt: r.created_at,
    attempts: r.attempts,
    endpointId: r.endpoint_id,
    url: r.url,
    sealedSecret: r.sealed_secret,
  }));
}

/**
 * Records attempt number `attempts` of delivery `seq`: delivered, retried after `delayMs`, or
 * given up. Only while the row is still this attempt's (a lease that ran out and was claimed
 * again is the newer attempt's to record). Returns false when it was not.
 */
export async function recordAttempt(
  q: Queryable,
  a: {
    seq: bigint;
    attempts: number;
    status: 'pending' | 'delivered' | 'failed';
    delayMs: number;
    statusCode: number | null;
    error: string | null;
  },
): Promise<boolean> {
  const rows = await q.query(
    `UPDATE webhook_deliveries
       SET status = $3, last_status_code = $5, last_error = $6,
           next_attempt_at = now() + $4 * interval '1 millisecond',
           delivered_at = CASE WHEN $3 = 'delivered' THEN now() END
     WHERE seq = $1 AND attempts = $2 AND status = 'pending'
     RETURNING seq`,
    [a.seq, a.attempts, a.status, a.delayMs, a.statusCode, a.error],
  );
  return rows.length === 1;
}

/** Filters of a delivery log; every one optional. */
export interface DeliveryFilter {
  userId?: string;
  endpointId?: string;
  status?: 'pending' | 'delivered' | 'failed';
  /** Only rows older than this seq. */
  before?: bigint;
  limit: number;
}

/** Deliveries matching `f`, newest first. */
export async function listDeliveries(q: Queryable, f: DeliveryFilter): Promise<DeliveryRow[]> {
  const rows = await q.query<{
    seq: bigint;
    event_id: string;
    endpoint_id: string;
    user_id: string;
    url: string;
    event_type: WebhookEventType;
    status: DeliveryRow['status'];
    attempts: number;
    created_at: Date;
    next_attempt_at: Date;
    last_attempt_at: Date | null;
    last_status_code: number | null;
    last_error: string | null;
    delivered_at: Date | null;
  }>(
    `SELECT d.seq, d.event_id, d.endpoint_id, e.user_id, e.url, d.event_type, d.status,
            d.attempts, d.created_at, d.next_attempt_at, d.last_attempt_at, d.last_status_code,
            d.last_error, d.delivered_at
     FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
     WHERE ($1::uuid IS NULL OR e.user_id = $1)
       AND ($2::uuid IS NULL OR d.endpoint_id = $2)
       AND ($3::text IS NULL OR d.status = $3)
       AND ($4::bigint IS NULL OR d.seq < $4)
     ORDER BY d.seq DESC LIMIT $5`,
    [f.userId ?? null, f.endpointId ?? null, f.status ?? null, f.before ?? null, f.limit],
  );
  return rows.map((r) => ({
    seq: r.seq,
    eventId: r.event_id,
    endpointId: r.endpoint_id,
    userId: r.user_id,
    url: r.url,
    type: r.event_type,
    status: r.status,
    attempts: r.attempts,
    createdAt: r.created_at,
    nextAttemptAt: r.next_attempt_at,
    lastAttemptAt: r.last_attempt_at,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    deliveredAt: r.delivered_at,
  }));
}

/**
 * Deletes up to `limit` delivered or given-up deliveries created before `before`, the oldest
 * first (one short statement: the retention job calls it in chunks). Pending rows are never
 * deleted. Returns how many were.
 */
export async function deleteFinishedBefore(
  q: Queryable,
  before: Date,
  limit: number,
): Promise<number> {
  const rows = await q.query(
    `DELETE FROM webhook_deliveries WHERE seq IN (
       SELECT seq FROM webhook_deliveries
       WHERE status <> 'pending' AND created_at < $1
       ORDER BY created_at LIMIT $2
       FOR UPDATE SKIP LOCKED
     )
     RETURNING seq`,
    [before, limit],
  );
  return rows.length;
}
