/**
 * Syncing with the bank when online (GET /v1/payer/sync): which payments settled, what the bank
 * counts as left of the current certificate's allowance, and whether to renew.
 *
 * The bank reports settled payments only. A payment it refused is recognised the only way the
 * sync allows: its certificate is past `expiresAt` + grace by the bank's clock (after which
 * nothing under it can settle), the bank's list of its settled payments is complete, and the
 * payment is not on it — then it is 'rejected'. The clock used is `bankTime` of this very sync
 * answer — the bank's own answer over the authenticated call, not a time remembered from
 * elsewhere — and only a complete list (not truncated, adding up to the settled total) is
 * conclusive.
 *
 * The bank client reads every amount of the answer (non-negative minor units) before anything
 * is written: a sync is applied whole or not at all.
 */
import { GRACE_SECONDS, Money } from '@offpay/protocol';
import { refreshRevocations, type BankClient, type PayerSync } from '@offpay/app-kit';
import type { HistoryItem, WalletDb } from '../db.js';
import { listHistory } from './history.js';
import { RENEW_WITHIN_SECONDS, storedChain, withWalletLock } from './wallet.js';

type SyncedCertificate = PayerSync['certificates'][number];

/**
 * True when the bank listed every settled payment of the certificate: not marked truncated, and
 * the listed amounts add up to the settled total.
 */
function listComplete(c: SyncedCertificate): boolean {
  if (c.paymentsTruncated === true) return false;
  let sum = 0n;
  for (const p of c.payments) sum += BigInt(p.amountMinor);
  return sum === BigInt(c.settledMinor);
}

/** Unix seconds of an ISO 8601 instant, or undefined. */
function seconds(iso: string): number | undefined {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

/**
 * The history records whose state the sync changes: settled when the bank lists them, rejected
 * when they can no longer settle (see the module comment). Settled is final; a settled payment
 * changes again only in what its merchant has refunded of it.
 */
export function applySync(
  items: readonly HistoryItem[],
  sync: PayerSync,
  graceSeconds: number = GRACE_SECONDS,
): HistoryItem[] {
  const settled = new Map<string, { at: string; refunded: number }>();
  const bySerial = new Map<string, SyncedCertificate>();
  for (const c of sync.certificates) {
    bySerial.set(c.serial, c);
    for (const p of c.payments) {
      // At most the amount (the bank never refunds more; a larger figure is not believed).
      const [refundedMinor, amountMinor] = [BigInt(p.refundedMinor), BigInt(p.amountMinor)];
      const refunded = Number(refundedMinor < amountMinor ? refundedMinor : amountMinor);
      settled.set(p.paymentId, { at: p.settledAt, refunded });
    }
  }
  const changed: HistoryItem[] = [];
  for (const item of items) {
    const found = settled.get(item.paymentId);
    if (item.state === 'settled') {
      if (found && found.refunded !== (item.refunded ?? 0))
        changed.push({ ...item, refunded: found.refunded });
      continue;
    }
    if (found !== undefined) {
      changed.push({
        ...item,
        state: 'settled',
        settledAt: found.at,
        ...(found.refunded > 0 ? { refunded: found.refunded } : {}),
      });
      continue;
    }
    const c = bySerial.get(String(item.serial));
    const expiresAt = c && seconds(c.expiresAt);
    // Only a complete list is conclusive: a truncated one may hold this payment further down.
    if (item.state === 'rejected' || !c || expiresAt === undefined || !listComplete(c)) continue;
    // The bank's time of this authenticated answer: its own word that the grace has passed.
    if (sync.bankTime > expiresAt + graceSeconds) changed.push({ ...item, state: 'rejected' });
  }
  return changed;
}

/** The current certificate as the bank sees it. */
export interface BankView {
  serial: number;
  status: SyncedCertificate['status'];
  limit: Money;
  settled: Money;
  /** limit − settled: what the bank has not yet paid out of the allowance. */
  remaining: Money;
  /** Payments the bank settled under it (a lower bound when `settledCountAtLeast`). */
  settledCount: number;
  /** The bank listed only some of them (its newest): there are at least `settledCount`. */
  settledCountAtLeast: boolean;
}

/** What a sync found, for the Sync screen. */
export interface SyncOutcome {
  bankTime: number;
  /** The current certificate, when the bank lists it. */
  current?: BankView;
  newlySettled: number;
  newlyRejected: number;
  /** Closed, revoked, or expiring within a day by the bank's clock. */
  renewSuggested: boolean;
  /** The revocation refresh failed (the sync itself went through). */
  revocationsFailed: boolean;
}

function bankView(c: SyncedCertificate, currency: string): BankView {
  const limit = Money.of(c.limitMinor, currency);
  const settled = Money.of(c.settledMinor, currency);
  return {
    serial: Number(c.serial),
    status: c.status,
    limit,
    settled,
    remaining: settled.compare(limit) >= 0 ? Money.of(0, currency) : limit.minus(settled),
    // A truncated list holds the newest payments only: older ones exist beyond it.
    settledCount: c.payments.length + (c.paymentsTruncated === true ? 1 : 0),
    settledCountAtLeast: !listComplete(c),
  };
}

/**
 * Syncs with the bank using the session's token: marks settled and rejected payments (one
 * transaction) and refreshes the revocation list (whose signed time is the clock floor).
 * @throws AppError APP_OFFLINE, APP_BANK_RESPONSE (then nothing was written), APP_STORAGE_FAILED;
 *   BankRefusal (signed out…)
 */
export async function syncWithBank(
  db: WalletDb,
  client: Pick<BankClient, 'payerSync' | 'revocations'>,
  token: string,
): Promise<SyncOutcome> {
  const sync = await client.payerSync(token);
  // sync.bankTime is unsigned: it decides this sync's outcomes only and never moves the clock
  // floor, which follows the signed revocation list below (@offpay/app-kit clock.ts).
  const changed = await withWalletLock(async () => {
    const found = applySync(await listHistory(db), sync);
    await db.write(found.map((item) => ({ put: 'history' as const, value: item })));
    return found;
  });
  let revocationsFailed = false;
  try {
    await refreshRevocations(db, client);
  } catch {
    revocationsFailed = true;
  }
  const stored = await storedChain(db);
  const synced = stored && sync.certificates.find((c) => c.serial === String(stored.cert.serial));
  const current = stored && synced ? bankView(synced, stored.cert.currency) : undefined;
  const expiresAt = stored?.cert.expiresAt;
  return {
    bankTime: sync.bankTime,
    ...(current ? { current } : {}),
    newlySettled: changed.filter((i) => i.state === 'settled').length,
    newlyRejected: changed.filter((i) => i.state === 'rejected').length,
    renewSuggested:
      (current !== undefined && current.status !== 'active') ||
      (expiresAt !== undefined && expiresAt - sync.bankTime <= RENEW_WITHIN_SECONDS),
    revocationsFailed,
  };
}
