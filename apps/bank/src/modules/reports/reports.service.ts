/**
 * What settled, read back by its owners: a payer wallet's sync (what settled under each of its
 * certificates and what remains of each reserve) and a merchant's CSV export of what settled to
 * its payee certificates. Reads only.
 */
import { CSV_MAX_ROWS, SYNC_MAX_CERTIFICATES, SYNC_MAX_PAYMENTS } from '@offpay/api';
import { toHex } from '@offpay/crypto';
import type { Database } from '../../db/queryable.js';
import { reserveRemaining } from '../reserves/reserves.domain.js';
import type { CertificateStatus } from '../revocations/revocations.domain.js';
import { settlementsCsv } from './reports.csv.js';
import {
  listMerchantSettlements,
  listPayerCertificates,
  listSettledPayments,
} from './reports.repo.js';

/** One payer certificate as its owner's wallet syncs it. */
export interface PayerSyncItem {
  serial: number;
  status: CertificateStatus;
  currency: string;
  limit: bigint;
  settled: bigint;
  reserveRemaining: bigint;
  expiresAt: Date;
  closedAt: Date | null;
  reserveReleasedAt: Date | null;
  /** Settled payments, newest first, at most {@link SYNC_MAX_PAYMENTS}. */
  payments: {
    paymentId: string;
    counter: number;
    amount: bigint;
    settledAt: Date;
    /** What the merchant refunded of it so far. */
    refunded: bigint;
  }[];
  /** True when older settled payments exist beyond `payments`. */
  paymentsTruncated: boolean;
}

/** Read-backs for payers and merchants. */
export interface ReportsService {
  /** The caller's newest {@link SYNC_MAX_CERTIFICATES} payer certificates, with what settled. */
  payerSync(userId: string): Promise<PayerSyncItem[]>;
  /** CSV of payments settled to the caller's payee certificates, `from ≤ settledAt < to`. */
  merchantSettlementsCsv(
    userId: string,
    range: { from: Date | null; to: Date | null },
  ): Promise<{ csv: string; truncated: boolean }>;
}

async function payerSync(db: Database, userId: string): Promise<PayerSyncItem[]> {
  const certs = await listPayerCertificates(db, userId, SYNC_MAX_CERTIFICATES);
  // One more than shown tells whether older payments exist.
  const payments = await listSettledPayments(
    db,
    certs.map((c) => c.serial),
    SYNC_MAX_PAYMENTS + 1,
  );
  const bySerial = new Map<number, typeof payments>();
  for (const p of payments) {
    const list = bySerial.get(p.serial);
    if (list) list.push(p);
    else bySerial.set(p.serial, [p]);
  }
  return certs.map((c) => {
    const mine = bySerial.get(c.serial) ?? [];
    return {
      ...c,
      reserveRemaining: reserveRemaining({ ...c, releasedAt: c.reserveReleasedAt }),
      payments: mine.slice(0, SYNC_MAX_PAYMENTS).map((p) => ({
        paymentId: toHex(p.paymentId),
        counter: p.counter,
        amount: p.amount,
        settledAt: p.settledAt,
        refunded: p.refunded,
      })),
      paymentsTruncated: mine.length > SYNC_MAX_PAYMENTS,
    };
  });
}

/** Builds the reports service. */
export function createReportsService(deps: { db: Database }): ReportsService {
  return {
    payerSync: (userId) => payerSync(deps.db, userId),
    async merchantSettlementsCsv(userId, range) {
      const rows = await listMerchantSettlements(deps.db, userId, {
        ...range,
        limit: CSV_MAX_ROWS + 1,
      });
      const truncated = rows.length > CSV_MAX_ROWS;
      return { csv: settlementsCsv(rows.slice(0, CSV_MAX_ROWS)), truncated };
    },
  };
}
