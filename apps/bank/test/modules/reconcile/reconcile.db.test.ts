/**
 * Reconciliation against real Postgres (issue #10 item 10; docs/operations.md "Reconciliation"):
 * a settled world — honest payments, a cheat settled beyond the reserve with money recovered from
 * the payer, a released reserve — agrees with itself; then each invariant is broken by corrupting
 * rows inside a transaction that is rolled back, and reconcile must name exactly that violation.
 * Last, the command itself: exit 0 on the clean books, 1 and the code once a row is corrupted.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { randomBytes } from '@offpay/crypto';
import {
  decodeSettlementResult,
  encodeSettlementResult,
  signSettlementResult,
} from '@offpay/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../../../src/db/queryable.js';
import { protocolSigner } from '../../../src/modules/keys/keys.signer.js';
import type { ViolationCode } from '../../../src/modules/reconcile/reconcile.domain.js';
import {
  reconcile,
  type ReconcileReport,
} from '../../../src/modules/reconcile/reconcile.service.js';
import { reconcileCorrupted as corruptedReport } from '../../helpers/reconcile.js';
import { craftPayment, useWorld, type PayeeDevice, type PayerDevice } from '../../helpers/world.js';

const world = useWorld({ invariants: true });

let honest: PayerDevice;
let cheat: PayerDevice;
let shopA: PayeeDevice;
let shopB: PayeeDevice;
let settlementA: string;
let settlementB: string;
let issuance: string;

beforeAll(async () => {
  // A payer of a month ago: one payment settled then, its reserve released at expiry + grace.
  const realNow = world.clock;
  world.clock = new Date(realNow.getTime() - 30 * 86_400_000);
  shopA = await world.payee('Shop A');
  const expired = await world.payer(5000n);
  const paid = world.pay(expired, shopA, 1000);
  expect(await world.settleEntries(shopA, [paid])).toMatchObject([{ status: 'settled' }]);
  world.clock = realNow;
  const { released } = await world.app.services.reserves.releaseExpired(world.clock);
  expect(released).toEqual([{ serial: expired.cert.serial, currency: 'EUR', amount: 4000n }]);
  // Honest: 50.00 of a 100.00 reserve settled at A; 10.00 more in the account.
  honest = await world.payer(10_000n, 11_000n);
  // Cheat: 80.00 at A, the same counter again 80.00 at B: 20.00 from the reserve, 60.00 recovered.
  cheat = await world.payer(10_000n, 16_000n);
  shopB = await world.payee('Shop B');
  const toA = [world.pay(honest, shopA, 3000), world.pay(honest, shopA, 2000)];
  toA.push(world.pay(cheat, shopA, 8000));
  expect(await world.settleEntries(shopA, toA)).toMatchObject(
    toA.map(() => ({ status: 'settled' })),
  );
  const twin = craftPayment(cheat, {
    amount: 8000,
    payeeKid: shopB.kid,
    createdAt: Math.floor(world.clock.getTime() / 1000),
  });
  expect(await world.settleEntries(shopB, [twin])).toMatchObject([{ status: 'settled' }]);
  const ids = await world.db.query<{ id: string; payee_serial: bigint }>(
    'SELECT id::text AS id, payee_serial FROM settlements ORDER BY id',
  );
  settlementA = ids.filter((r) => Number(r.payee_serial) === shopA.cert.serial)[1]!.id;
  settlementB = ids.find((r) => Number(r.payee_serial) === shopB.cert.serial)!.id;
  issuance = (
    await world.db.query<{ id: string }>(
      "SELECT id FROM accounts WHERE kind = 'issuance' AND currency = 'EUR'",
    )
  )[0]!.id;
}, 60_000);

const reconcileCorrupted = (corrupt: (tx: Queryable) => Promise<void>) =>
  corruptedReport(world.db, corrupt);

function codes(report: ReconcileReport): ViolationCode[] {
  return report.violations.map((v) => v.code).sort();
}

function rowsOf(report: ReconcileReport, code: ViolationCode) {
  return report.violations.find((v) => v.code === code)?.rows;
}

/** A balanced-or-not transfer written straight into the books. */
async function insertTransfer(
  tx: Queryable,
  kind: string,
  reference: string,
  legs: [string, bigint][],
): Promise<string> {
  const [t] = await tx.query<{ id: string }>(
    "INSERT INTO transfers (kind, reference, currency) VALUES ($1, $2, 'EUR') RETURNING id::text AS id",
    [kind, reference],
  );
  for (const [account, amount] of legs) {
    await tx.query(
      "INSERT INTO postings (transfer_id, account_id, currency, amount) VALUES ($1, $2, 'EUR', $3)",
      [t!.id, account, amount.toString()],
    );
  }
  return t!.id;
}

async function fundingTransfers(tx: Queryable): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    "SELECT id::text AS id FROM transfers WHERE kind = 'funding' ORDER BY id",
  );
  return rows.map((r) => r.id);
}

describe('a clean settled world', () => {
  it('has no violation: honest and cheating payments, recovery, a released reserve', async () => {
    const report = await reconcile(world.db);
    expect(report.violations).toEqual([]);
    expect(report.checked).toEqual({
      certificates: 3,
      settlements: 3,
      payments: 5,
      proofs: 1,
      deposits: 0,
      payouts: 0,
    });
  });
});

describe('each invariant, broken on its own, is named', () => {
  it('a transfer whose postings do not sum to zero: LEDGER_TRANSFER_UNBALANCED', async () => {
    const report = await reconcileCorrupted(async (tx) => {
      const [t1, t2] = await fundingTransfers(tx);
      await tx.query(
        "INSERT INTO postings (transfer_id, account_id, currency, amount) VALUES ($1, $3, 'EUR', 5), ($2, $3, 'EUR', -5)",
        [t1, t2, shopA.user.accountId],
      );
    });
    expect(codes(report)).toEqual(['LEDGER_TRANSFER_UNBALANCED']);
    expect(rowsOf(report, 'LEDGER_TRANSFER_UNBALANCED')).toHaveLength(2);
  });

  it('money out of nowhere: LEDGER_CURRENCY_UNBALANCED (and its transfer)', async () => {
    // A currency's postings can only stop summing to zero through an unbalanced transfer.
    const report = await reconcileCorrupted(async (tx) => {
      const [t1] = await fundingTransfers(tx);
      await tx.query(
        "INSERT INTO postings (transfer_id, account_id, currency, amount) VALUES ($1, $2, 'EUR', 5)",
        [t1, shopA.user.accountId],
      );
    });
    expect(codes(report)).toEqual(['LEDGER_CURRENCY_UNBALANCED', 'LEDGER_TRANSFER_UNBALANCED']);
    expect(rowsOf(report, 'LEDGER_CURRENCY_UNBALANCED')).toEqual([{ currency: 'EUR', total: '5' }]);
  });

  it('a balance edited by hand: LEDGER_BALANCE_DRIFT', async () => {
    const report = await reconcileCorrupted(async (tx) => {
      await tx.query('UPDATE account_balances SET balance = balance + 1 WHERE account_id = $1', [
        shopB.user.accountId,
      ]);
    });
    expect(codes(report)).toEqual(['LEDGER_BALANCE_DRIFT']);
    expect(rowsOf(report, 'LEDGER_BALANCE_DRIFT')).toEqual([
      { accountId: shopB.user.accountId, balance: '8001', postings: '8000' },
    ]);
  });

  it("a certificate's settled total off by one: CERTIFICATE_SETTLED_MISMATCH", async () => {
    const report = await reconcileCorrupted(async (tx) => {
      await tx.query(
        'UPDATE payer_certificates SET settled_minor = settled_minor + 1 WHERE serial = $1',
        [honest.cert.serial],
      );
    });
    expect(codes(report)).toEqual(['CERTIFICATE_SETTLED_MISMATCH']);
    expect(rowsOf(report, 'CERTIFICATE_SETTLED_MISMATCH')).toEqual([
      { serial: honest.cert.serial, settled: '5001', paid: '5000' },
    ]);
  });

  it('a reserve holding more than its certificates: RESERVE_MISMATCH', async () => {
    const report = await reconcileCorrupted(async (tx) => {
      await tx.query('UPDATE payer_certificates SET limit_minor = 9999 WHERE serial = $1', [
        honest.cert.serial,
      ]);
    });
    expect(codes(report)).toEqual(['RESERVE_MISMATCH']);
    expect(rowsOf(report, 'RESERVE_MISMATCH')).toMatchObject([
      { balance: '5000', expected: '4999' },
    ]);
  });

  it('money taken from an honest payer as "recovery": RECOVERY_MISMATCH', async () => {
    const report = await reconcileCorrupted(async (tx) => {
      await insertTransfer(tx, 'recovery', `batch:${settlementA}:7`, [
        [honest.user.accountId, -1n],
        [issuance, 1n],
      ]);
    });
    expect(codes(report)).toEqual(['RECOVERY_MISMATCH']);
    expect(rowsOf(report, 'RECOVERY_MISMATCH')).toEqual([
      { accountId: honest.user.accountId, recovered: '1', beyondReserve: '0', toOwnTill: '0' },
    ]);
  });

  it('settled beyond the reserve with the proof gone: RECOVERY_WITHOUT_PROOF', async () => {
    const report = await reconcileCorrupted(async (tx) => {
      await tx.query('ALTER TABLE revocations DISABLE TRIGGER revocations_append_only');
      await tx.query('ALTER TABLE fraud_proofs DISABLE TRIGGER fraud_proofs_append_only');
      await tx.query('DELETE FROM revocations WHERE serial = $1', [cheat.cert.serial]);
      await tx.query('DELETE FROM fraud_proofs WHERE serial = $1', [cheat.cert.serial]);
    });
    expect(codes(report)).toEqual(['RECOVERY_WITHOUT_PROOF']);
    expect(rowsOf(report, 'RECOVERY_WITHOUT_PROOF')).toEqual([
      { serial: cheat.cert.serial, limit: '10000', paid: '16000' },
    ]);
  });

  it("a proven cheat's certificate active again: PROOF_NOT_REVOKED", async () => {
    const report = await reconcileCorrupted(async (tx) => {
      await tx.query(
        "UPDATE payer_certificates SET status = 'active', closed_at = NULL WHERE serial = $1",
        [cheat.cert.serial],
      );
    });
    expect(codes(report)).toEqual(['PROOF_NOT_REVOKED']);
    expect(rowsOf(report, 'PROOF_NOT_REVOKED')).toMatchObject([
      { serial: cheat.cert.serial, revocationReason: 'fraud', certificateStatus: 'active' },
    ]);
  });

  it('a stored result that is not CBOR: RESULT_UNDECODABLE', async () => {
    const report = await reconcileCorrupted(async (tx) => {
      await tx.query('ALTER TABLE settlements DISABLE TRIGGER settlements_append_only');
      await tx.query("UPDATE settlements SET result = '\\x00'::bytea WHERE id = $1", [settlementA]);
    });
    expect(codes(report)).toEqual(['RESULT_UNDECODABLE']);
    expect(rowsOf(report, 'RESULT_UNDECODABLE')).toMatchObject([{ settlementId: settlementA }]);
  });

  it("a stored result whose signature is not the bank's: RESULT_SIGNATURE_INVALID", async () => {
    const report = await reconcileCorrupted(async (tx) => {
      await tx.query('ALTER TABLE settlements DISABLE TRIGGER settlements_append_only');
      await tx.query(
        `UPDATE settlements SET result = set_byte(result, length(result) - 1,
           get_byte(result, length(result) - 1) # 1) WHERE id = $1`,
        [settlementB],
      );
    });
    expect(codes(report)).toEqual(['RESULT_SIGNATURE_INVALID']);
    expect(rowsOf(report, 'RESULT_SIGNATURE_INVALID')).toEqual([
      { settlementId: settlementB, error: 'PROTO_SIGNATURE_INVALID' },
    ]);
  });

  it('a payment row moved to another batch: RESULT_DISAGREES', async () => {
    const report = await reconcileCorrupted(async (tx) => {
      await tx.query('UPDATE payments SET settlement_id = $1 WHERE serial = $2 AND counter = 1', [
        settlementB,
        honest.cert.serial,
      ]);
    });
    expect(codes(report)).toEqual(['RESULT_DISAGREES']);
    expect(rowsOf(report, 'RESULT_DISAGREES')?.map((r) => r['what'])).toEqual([
      'settled entry without its payments row',
      'payments row not settled by it',
    ]);
  });

  it('a second bank-signed result settling a paid payment: PAYMENT_SETTLED_TWICE', async () => {
    // A payment has one row, so a second result settling it also disagrees with the rows, and
    // its money never moved: three invariants break together.
    const report = await reconcileCorrupted(async (tx) => {
      const [row] = await tx.query<{ result: Uint8Array }>(
        'SELECT result FROM settlements WHERE id = $1',
        [settlementB],
      );
      const first = decodeSettlementResult(row!.result);
      const forged = signSettlementResult(
        { ...first, batchKey: randomBytes(32) },
        protocolSigner(world.app.services.keyring),
      );
      await tx.query(
        'INSERT INTO settlements (payee_serial, batch_key, result) VALUES ($1, $2, $3)',
        [shopB.cert.serial, forged.batchKey, encodeSettlementResult(forged)],
      );
    });
    expect(codes(report)).toEqual([
      'PAYMENT_SETTLED_TWICE',
      'RESULT_DISAGREES',
      'SETTLEMENT_MONEY_MISMATCH',
    ]);
    expect(rowsOf(report, 'PAYMENT_SETTLED_TWICE')).toHaveLength(1);
  });

  it('a settlement paid twice: SETTLEMENT_MONEY_MISMATCH', async () => {
    const report = await reconcileCorrupted(async (tx) => {
      await insertTransfer(tx, 'settlement', `batch:${settlementB}:9`, [
        [issuance, -8000n],
        [shopB.user.accountId, 8000n],
      ]);
    });
    expect(codes(report)).toEqual(['SETTLEMENT_MONEY_MISMATCH']);
    expect(rowsOf(report, 'SETTLEMENT_MONEY_MISMATCH')).toEqual([
      { settlementId: settlementB, credited: '16000', settled: '8000' },
    ]);
  });

  it('a settlement transfer naming no settlement: SETTLEMENT_MONEY_MISMATCH', async () => {
    const report = await reconcileCorrupted(async (tx) => {
      await insertTransfer(tx, 'settlement', 'batch:987654321', [
        [issuance, -10n],
        [shopB.user.accountId, 10n],
      ]);
    });
    expect(codes(report)).toEqual(['SETTLEMENT_MONEY_MISMATCH']);
    expect(rowsOf(report, 'SETTLEMENT_MONEY_MISMATCH')).toMatchObject([
      { reference: 'batch:987654321', settled: 'no such settlement' },
    ]);
  });
});

describe('the reconcile command', () => {
  const script = fileURLToPath(new URL('../../../scripts/reconcile.ts', import.meta.url));
  const run = (url: string, args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args], {
      env: { ...process.env, DATABASE_URL: url },
    }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
    );

  it('exits 0 on clean books, then 1 naming the violation once a row is corrupted', async () => {
    const url = new URL(world.schema!.url);
    const schema = world.schema!.name;
    url.searchParams.delete('options');
    const clean = await run(url.toString(), ['--schema', schema, '--json']);
    expect(clean.code, clean.stdout).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ violations: [] });

    await world.db.query(
      'UPDATE account_balances SET balance = balance + 1 WHERE account_id = $1',
      [shopA.user.accountId],
    );
    const broken = await run(world.schema!.url, []);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('LEDGER_BALANCE_DRIFT');
    expect(broken.stdout).toContain(shopA.user.accountId);
    // Put the books back, so the file's after-each invariants hold.
    await world.db.query(
      'UPDATE account_balances SET balance = balance - 1 WHERE account_id = $1',
      [shopA.user.accountId],
    );
  }, 60_000);
});
