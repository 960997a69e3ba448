/** SQL of merchant applications and verified merchants. */
import type { Queryable } from '../../db/queryable.js';
import type { ReservedName } from './merchants.names.js';

/** An application's state. */
export type ApplicationState = 'pending' | 'approved' | 'refused';

/** A merchant application row, with the applicant's email. */
export interface ApplicationRow {
  id: string;
  userId: string;
  email: string;
  state: ApplicationState;
  legalName: string;
  displayName: string;
  contact: string;
  submittedAt: Date;
  decidedAt: Date | null;
  reason: string | null;
}

/** A verified merchant. */
export interface MerchantRow {
  displayName: string;
  legalName: string;
  verifiedAt: Date;
}

const APPLICATION_COLUMNS = `a.id, a.user_id, u.email, a.state, a.legal_name, a.display_name,
  a.contact, a.submitted_at, a.decided_at, a.decision_reason`;

type Raw = {
  id: string;
  user_id: string;
  email: string;
  state: ApplicationState;
  legal_name: string;
  display_name: string;
  contact: string;
  submitted_at: Date;
  decided_at: Date | null;
  decision_reason: string | null;
};

function application(r: Raw): ApplicationRow {
  return {
    id: r.id,
    userId: r.user_id,
    email: r.email,
    state: r.state,
    legalName: r.legal_name,
    displayName: r.display_name,
    contact: r.contact,
    submittedAt: r.submitted_at,
    decidedAt: r.decided_at,
    reason: r.decision_reason,
  };
}

/**
 * Inserts a pending application and returns its id.
 * @throws unique violation `merchant_applications_one_open` when the user has an open one.
 */
export async function insertApplication(
  tx: Queryable,
  a: { userId: string; legalName: string; displayName: string; contact: string; at: Date },
): Promise<string> {
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO merchant_applications (user_id, legal_name, display_name, contact, submitted_at)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [a.userId, a.legalName, a.displayName, a.contact, a.at],
  );
  return (rows[0] as { id: string }).id;
}

/** An application by id (locked FOR UPDATE when `lock`); null when absent. */
export async function findApplication(
  q: Queryable,
  id: string,
  lock = false,
): Promise<ApplicationRow | null> {
  const rows = await q.query<Raw>(
    `SELECT ${APPLICATION_COLUMNS} FROM merchant_applications a JOIN users u ON u.id = a.user_id
     WHERE a.id = $1 ${lock ? 'FOR UPDATE OF a' : ''}`,
    [id],
  );
  return rows[0] ? application(rows[0]) : null;
}

/** The user's open (pending) application; null when none. */
export async function findOpenApplication(
  q: Queryable,
  userId: string,
): Promise<ApplicationRow | null> {
  const rows = await q.query<Raw>(
    `SELECT ${APPLICATION_COLUMNS} FROM merchant_applications a JOIN users u ON u.id = a.user_id
     WHERE a.user_id = $1 AND a.state = 'pending'`,
    [userId],
  );
  return rows[0] ? application(rows[0]) : null;
}

/** The user's most recent application; null when none. */
export async function findLatestApplication(
  q: Queryable,
  userId: string,
): Promise<ApplicationRow | null> {
  const rows = await q.query<Raw>(
    `SELECT ${APPLICATION_COLUMNS} FROM merchant_applications a JOIN users u ON u.id = a.user_id
     WHERE a.user_id = $1 ORDER BY a.submitted_at DESC, a.id DESC LIMIT 1`,
    [userId],
  );
  return rows[0] ? application(rows[0]) : null;
}

/** Applications in `state`, oldest first, at most `limit`. */
export async function listApplications(
  q: Queryable,
  state: ApplicationState,
  limit: number,
): Promise<ApplicationRow[]> {
  const rows = await q.query<Raw>(
    `SELECT ${APPLICATION_COLUMNS} FROM merchant_applications a JOIN users u ON u.id = a.user_id
     WHERE a.state = $1 ORDER BY a.submitted_at, a.id LIMIT $2`,
    [state, limit],
  );
  return rows.map(application);
}

/** Records the decision on a pending application. */
export async function decideApplication(
  tx: Queryable,
  d: { id: string; state: 'approved' | 'refused'; at: Date; operatorId: string; reason: string },
): Promise<void> {
  await tx.query(
    `UPDATE merchant_applications SET state = $2, decided_at = $3, decided_by = $4, decision_reason = $5
     WHERE id = $1 AND state = 'pending'`,
    [d.id, d.state, d.at, d.operatorId, d.reason],
  );
}

/** The user's verified merchant identity; null when the bank has not verified one. */
export async function findMerchant(q: Queryable, userId: string): Promise<MerchantRow | null> {
  const rows = await q.query<{ display_name: string; legal_name: string; verified_at: Date }>(
    'SELECT display_name, legal_name, verified_at FROM merchants WHERE user_id = $1',
    [userId],
  );
  const r = rows[0];
  return r
    ? { displayName: r.display_name, legalName: r.legal_name, verifiedAt: r.verified_at }
    : null;
}

/** Verified names sharing the fold or the skeleton of `name` (at most two rows can). */
export async function findCollidingNames(
  q: Queryable,
  name: ReservedName,
): Promise<ReservedName[]> {
  const rows = await q.query<{ display_name: string; name_fold: string; name_skeleton: string }>(
    `SELECT display_name, name_fold, name_skeleton FROM merchants
     WHERE name_fold = $1 OR name_skeleton = $2 LIMIT 2`,
    [name.fold, name.skeleton],
  );
  return rows.map((r) => ({
    displayName: r.display_name,
    fold: r.name_fold,
    skeleton: r.name_skeleton,
  }));
}

// One approval at a time for the whole bank: the name check and the insert must not interleave.
const NAMES_LOCK_SQL =
  "SELECT pg_advisory_xact_lock(hashtextextended('offpay/merchant-names/' || current_schema(), 0))";

/** Serialises name reservations until the end of the transaction. */
export async function lockMerchantNames(tx: Queryable): Promise<void> {
  await tx.query(NAMES_LOCK_SQL);
}

/** Records a verified merchant and reserves its name. */
export async function insertMerchant(
  tx: Queryable,
  m: {
    userId: string;
    applicationId: string;
    legalName: string;
    name: ReservedName;
    at: Date;
    operatorId: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO merchants (user_id, application_id, legal_name, display_name, name_fold,
       name_skeleton, verified_at, verified_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      m.userId,
      m.applicationId,
      m.legalName,
      m.name.displayName,
      m.name.fold,
      m.name.skeleton,
      m.at,
      m.operatorId,
    ],
  );
}
