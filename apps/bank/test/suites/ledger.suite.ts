/**
 * The core repository/service suite, run against real Postgres (accounts.service.db.test.ts)
 * and against embedded PGlite (embedded.pglite.db.test.ts): the same rules must hold on both.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/queryable.js';
import { isBankError } from '../../src/errors.js';
import { insertAccount } from '../../src/modules/accounts/accounts.repo.js';
import { createAccountsService } from '../../src/modules/accounts/accounts.service.js';
import { assertLedgerInvariants } from '../helpers/ledger.js';

let seq = 0;
const ref = (what: string) => `${what}-${Date.now()}-${++seq}`;

async function sqlState(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

/** Registers the suite; `getDb` returns a migrated database. */
export function describeLedgerSuite(label: string, getDb: () => Database): void {
  describe(`ledger on ${label}`, () => {
    const accounts = () => createAccountsService({ db: getDb() });

    /** A user with a customer account funded with `minor` from issuance. */
    async function fundedAccount(minor: bigint, currency = 'EUR'): Promise<string> {
      const db = getDb();
      return db.transaction(async (tx) => {
        const [user] = await tx.query<{ id: string }>(
          `INSERT INTO users (email, display_name, password_scrypt_log2n, password_scrypt_r, password_scrypt_p, password_salt, password_hash)
           VALUES ($1, 'T', 12, 8, 1, $2, $3) RETURNING id`,
          [`${ref('u')}@example.com`, new Uint8Array(16), new Uint8Array(32)],
        );
        const account = await insertAccount(tx, {
          userId: user?.id ?? '',
          kind: 'customer',
          currency,
        });
        if (minor > 0n) {
          const issuance = await accounts().systemAccount(tx, 'issuance', currency);
          await accounts().transfer(tx, {
            kind: 'funding',
            reference: ref('fund'),
            legs: [
              { accountId: issuance, amount: -minor },
              { accountId: account, amount: minor },
            ],
          });
        }
        return account;
      });
    }

    async function balance(accountId: string): Promise<bigint> {
      const [row] = await getDb().query<{ balance: bigint }>(
        'SELECT balance FROM account_balances WHERE account_id = $1',
        [accountId],
      );
      return row?.balance ?? -1n;
    }

    afterEach(async () => {
      await assertLedgerInvariants(getDb());
    });

    it('normalises bigint to bigint, bytea to Uint8Array and numeric to a decimal string', async () => {
      const [row] = await getDb().query<{ big: unknown; bytes: unknown; num: unknown }>(
        "SELECT 9007199254740993::bigint AS big, '\\x00ff'::bytea AS bytes, 12345678901234567890.5::numeric AS num",
      );
      expect(row?.big).toBe(9007199254740993n);
      expect(row?.bytes).toEqual(new Uint8Array([0, 255]));
      expect(row?.bytes?.constructor).toBe(Uint8Array);
      expect(row?.num).toBe('12345678901234567890.5');
    });

    it('moves money with a balanced transfer', async () => {
      const alice = await fundedAccount(10_000n);
      const bob = await fundedAccount(0n);
      const { currency } = await getDb().transaction((tx) =>
        accounts().transfer(tx, {
          kind: 'adjustment',
          reference: ref('t'),
          legs: [
            { accountId: alice, amount: -2_500n },
            { accountId: bob, amount: 2_500n },
          ],
        }),
      );
      expect(currency).toBe('EUR');
      expect(await balance(alice)).toBe(7_500n);
      expect(await balance(bob)).toBe(2_500n);
    });

    it('refuses unbalanced legs, an overdraft and mixed currencies, moving nothing', async () => {
      const alice = await fundedAccount(1_000n);
      const bob = await fundedAccount(0n);
      const carol = await fundedAccount(1_000n, 'USD');
      const attempt = (legs: { accountId: string; amount: bigint }[]) =>
        getDb()
          .transaction((tx) =>
            accounts().transfer(tx, { kind: 'adjustment', reference: ref('bad'), legs }),
          )
          .then(
            () => 'ok',
            (err: unknown) => (isBankError(err) ? err.code : String(err)),
          );
      expect(
        await attempt([
          { accountId: alice, amount: -100n },
          { accountId: bob, amount: 99n },
        ]),
      ).toBe('BANK_TRANSFER_UNBALANCED');
      expect(
        await attempt([
          { accountId: alice, amount: -1_001n },
          { accountId: bob, amount: 1_001n },
        ]),
      ).toBe('BANK_INSUFFICIENT_FUNDS');
      expect(
        await attempt([
          { accountId: carol, amount: -100n },
          { accountId: bob, amount: 100n },
        ]),
      ).toBe('BANK_CURRENCY_MISMATCH');
      expect(
        await attempt([
          { accountId: alice, amount: -100n },
          { accountId: '00000000-0000-4000-8000-000000000000', amount: 100n },
        ]),
      ).toBe('BANK_ACCOUNT_NOT_FOUND');
      expect(await balance(alice)).toBe(1_000n);
      expect(await balance(carol)).toBe(1_000n);
    });

    it('after lock(), transfers over the locked accounts see the balances earlier ones left', async () => {
      const alice = await fundedAccount(1_000n);
      const bob = await fundedAccount(0n);
      const service = accounts();
      const move = (tx: Parameters<typeof service.transfer>[0], amount: bigint) =>
        service.transfer(tx, {
          kind: 'adjustment',
          reference: ref('held'),
          legs: [
            { accountId: alice, amount: -amount },
            { accountId: bob, amount },
          ],
        });
      const outcome = await getDb()
        .transaction(async (tx) => {
          expect(await service.lock(tx, [bob, alice])).toEqual(
            new Map([
              [alice, 1_000n],
              [bob, 0n],
            ]),
          );
          await move(tx, 600n);
          // 400 left: refused by the service with its code, not by the database's CHECK.
          await move(tx, 600n);
        })
        .then(
          () => 'ok',
          (err: unknown) => (isBankError(err) ? err.code : String(err)),
        );
      expect(outcome).toBe('BANK_INSUFFICIENT_FUNDS');
      expect(await balance(alice)).toBe(1_000n);
      // The same with moves that fit: both commit.
      await getDb().transaction(async (tx) => {
        await service.lock(tx, [alice, bob]);
        await move(tx, 600n);
        await move(tx, 400n);
      });
      expect(await balance(alice)).toBe(0n);
      expect(await balance(bob)).toBe(1_000n);
    });

    it('moves a (kind, reference) only once', async () => {
      const alice = await fundedAccount(1_000n);
      const bob = await fundedAccount(0n);
      const reference = ref('once');
      const move = () =>
        getDb().transaction((tx) =>
          accounts().transfer(tx, {
            kind: 'settlement',
            reference,
            legs: [
              { accountId: alice, amount: -10n },
              { accountId: bob, amount: 10n },
            ],
          }),
        );
      await move();
      expect(await sqlState(move())).toBe('23505');
      expect(await balance(bob)).toBe(10n);
    });

    it('refuses at COMMIT a transfer whose raw postings do not sum to zero (deferred trigger)', async () => {
      const alice = await fundedAccount(1_000n);
      const state = await sqlState(
        getDb().transaction(async (tx) => {
          const [t] = await tx.query<{ id: bigint }>(
            "INSERT INTO transfers (kind, reference, currency) VALUES ('adjustment', $1, 'EUR') RETURNING id",
            [ref('raw')],
          );
          await tx.query(
            "INSERT INTO postings (transfer_id, account_id, currency, amount) VALUES ($1, $2, 'EUR', 5)",
            [t?.id, alice],
          );
        }),
      );
      expect(state).toBe('23514');
      expect(await balance(alice)).toBe(1_000n);
    });

    it('refuses a posting in another currency than its account, and any change to postings', async () => {
      const alice = await fundedAccount(1_000n);
      const bob = await fundedAccount(0n);
      const mixed = getDb().transaction(async (tx) => {
        const [t] = await tx.query<{ id: bigint }>(
          "INSERT INTO transfers (kind, reference, currency) VALUES ('adjustment', $1, 'USD') RETURNING id",
          [ref('raw')],
        );
        await tx.query(
          "INSERT INTO postings (transfer_id, account_id, currency, amount) VALUES ($1, $2, 'USD', -5), ($1, $3, 'USD', 5)",
          [t?.id, alice, bob],
        );
      });
      expect(await sqlState(mixed)).toBe('23503');
      expect(await sqlState(getDb().query('UPDATE postings SET amount = amount * 2'))).toBe(
        '23001',
      );
      expect(await sqlState(getDb().query('DELETE FROM transfers'))).toBe('23001');
    });

    it('never overdraws under 20 concurrent transfers draining one account', async () => {
      const source = await fundedAccount(1_000n);
      const sinks = await Promise.all(Array.from({ length: 4 }, () => fundedAccount(0n)));
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          getDb().transaction((tx) =>
            accounts().transfer(tx, {
              kind: 'adjustment',
              reference: ref(`drain${i}`),
              legs: [
                { accountId: source, amount: -100n },
                { accountId: sinks[i % 4] ?? '', amount: 100n },
              ],
            }),
          ),
        ),
      );
      const refused = results.filter((r) => r.status === 'rejected');
      expect(results.length - refused.length).toBe(10);
      for (const r of refused) expect(isBankError(r.reason, 'BANK_INSUFFICIENT_FUNDS')).toBe(true);
      expect(await balance(source)).toBe(0n);
    });
  });
}
