/**
 * The write side of the bank's keyring: creating the first keys and rotating one, each inside a
 * transaction that holds the keys' lock (docs/operations.md "Rotating the bank's keys"). A new key
 * is made and sealed under the key-encryption key, the previous one retired, the rotation
 * announced (signed by the announcing key) and audited. Loading, signing and opening stay in
 * keys.service.ts; this module keeps no state and no secret beyond one call.
 */
import { sign, toHex } from '@offpay/crypto';
import type { Database, Queryable } from '../../db/queryable.js';
import type { AuditLog } from '../audit/audit.service.js';
import { latestAnnouncement, type BankKeyKind, type LatestAnnouncement } from './keys.domain.js';
import {
  insertBankKey,
  listBankKeys,
  lockBankKeys,
  retireBankKey,
  type BankKeyRow,
} from './keys.repo.js';
import { makeSealedKey, unsealBankKey } from './keys.sealing.js';

/** Public facts about one bank key. */
export type BankKeyInfo = Omit<BankKeyRow, 'secretKeySealed'>;

/**
 * Makes the signed rotation announcement (the format belongs to packages/protocol). It receives
 * the retiring and the new key, and a function signing with the announcing key: the previous
 * signing key (for a KEM rotation, the current signing key). Returns the announcement bytes.
 */
export type RotationAnnouncer = (input: {
  kind: BankKeyKind;
  previous: BankKeyInfo;
  next: Pick<BankKeyInfo, 'kid' | 'kind' | 'publicKey' | 'createdAt'>;
  /** The latest announcement the bank made, or null before any. */
  latest: LatestAnnouncement | null;
  signWithAnnouncingKey: (message: Uint8Array) => Uint8Array;
}) => Uint8Array;

/** What creating a key needs: the key-encryption key, the clock and the audit log. */
export interface KeyWriter {
  kek: Uint8Array;
  now: () => Date;
  audit: AuditLog;
}

/** Every kind of bank key. */
export const KINDS: readonly BankKeyKind[] = ['sign', 'kem'];

interface Rotation {
  previous: BankKeyRow;
  rows: readonly BankKeyRow[];
  announcer: RotationAnnouncer | undefined;
}

/** The public half of a key row: what may be listed, logged or served. */
export function publicInfo(row: BankKeyRow): BankKeyInfo {
  const { kid, kind, publicKey, createdAt, retiredAt, previousKid, announcement } = row;
  return { kid, kind, publicKey, createdAt, retiredAt, previousKid, announcement };
}

/**
 * The current key of `kind` among `rows`.
 * @throws Error when there is none
 */
export function currentRow(rows: readonly BankKeyRow[], kind: BankKeyKind): BankKeyRow {
  const row = rows.find((r) => r.kind === kind && r.retiredAt === null);
  if (!row) throw new Error(`no current ${kind} key`);
  return row;
}

/**
 * Creates the current key of each kind that has none, under the keys' lock (safe when instances
 * start together).
 */
export async function ensureCurrentKeys(db: Database, w: KeyWriter): Promise<void> {
  await db.transaction(async (tx) => {
    await lockBankKeys(tx);
    const rows = await listBankKeys(tx);
    for (const kind of KINDS) {
      if (!rows.some((r) => r.kind === kind && r.retiredAt === null)) await createKey(tx, w, kind);
    }
  });
}

/**
 * Retires the current key of `kind` and makes its successor in one transaction, announced when
 * `announcer` is given; `alsoInTx` writes in the same transaction. Returns the new kid.
 */
export async function rotateKey(
  db: Database,
  w: KeyWriter,
  kind: BankKeyKind,
  announcer?: RotationAnnouncer,
  alsoInTx?: (tx: Queryable, kid: Uint8Array) => Promise<void>,
): Promise<Uint8Array> {
  return db.transaction(async (tx) => {
    await lockBankKeys(tx);
    // Rotate from what the database says, not from this instance's possibly stale view.
    const rows = await listBankKeys(tx);
    const made = await createKey(tx, w, kind, {
      previous: currentRow(rows, kind),
      rows,
      announcer,
    });
    await alsoInTx?.(tx, made);
    return made;
  });
}

async function createKey(
  tx: Queryable,
  w: KeyWriter,
  kind: BankKeyKind,
  rotation?: Rotation,
): Promise<Uint8Array> {
  const at = w.now();
  const { kid, publicKey, secretKeySealed } = makeSealedKey(w.kek, kind);
  const previous = rotation?.previous;
  const announcement = rotation
    ? announce(w.kek, rotation, { kid, kind, publicKey, createdAt: at })
    : null;
  if (previous) await retireBankKey(tx, kind, at);
  const previousKid = previous?.kid ?? null;
  await insertBankKey(tx, {
    kid,
    kind,
    publicKey,
    secretKeySealed,
    createdAt: at,
    previousKid,
    announcement,
  });
  await w.audit.append(tx, {
    actor: 'bank',
    action: previous ? 'bank_key.rotated' : 'bank_key.created',
    data: { kind, kid: toHex(kid), previousKid: previousKid && toHex(previousKid) },
  });
  return kid;
}

function announce(
  kek: Uint8Array,
  rotation: Rotation,
  next: Pick<BankKeyInfo, 'kid' | 'kind' | 'publicKey' | 'createdAt'>,
): Uint8Array | null {
  if (!rotation.announcer) return null;
  // A KEM key cannot sign: KEM rotations are announced by the current signing key.
  const announcing = next.kind === 'sign' ? rotation.previous : currentRow(rotation.rows, 'sign');
  const announcingKey = unsealBankKey(kek, announcing);
  return rotation.announcer({
    kind: next.kind,
    previous: publicInfo(rotation.previous),
    next,
    latest: latestAnnouncement(rotation.rows),
    signWithAnnouncingKey: (message) => sign(message, announcingKey),
  });
}
