/**
 * Fresh Postgres schemas for scenarios on the shared test server (DATABASE_URL, else the local
 * offpay_test database), selected through the connection URL's search_path and dropped after.
 * Funding is an SQL transfer from the issuance account: money enters the bank outside its API
 * (there is no deposit route), as an operator's deposit would.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The shared Postgres the suite may create schemas in. */
export const SHARED_DATABASE_URL =
  process.env['DATABASE_URL'] ?? 'postgres://offpay:offpay@127.0.0.1:5432/offpay_test';

/** A schema of the scenario's own. */
export interface Schema {
  name: string;
  /** The URL selecting it. */
  url: string;
  drop(): Promise<void>;
}

/** Runs one statement on `url`. */
export async function sql<R extends object = Record<string, unknown>>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Creates an empty schema `proof_<random>` on `baseUrl`; the bank migrates it on start. */
export async function createSchema(baseUrl = SHARED_DATABASE_URL): Promise<Schema> {
  const name = `proof_${randomBytes(6).toString('hex')}`;
  await sql(baseUrl, `CREATE SCHEMA ${name}`);
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${name}`);
  return {
    name,
    url: url.toString(),
    drop: () => sql(baseUrl, `DROP SCHEMA ${name} CASCADE`).then(() => undefined),
  };
}

/** Credits `minor` to a customer account from the issuance account of its currency. */
export async function fund(url: string, accountId: string, minor: bigint): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    const [account] = (
      await client.query<{ currency: string }>('SELECT currency FROM accounts WHERE id = $1', [
        accountId,
      ])
    ).rows;
    if (!account) throw new Error(`no account ${accountId}`);
    await client.query(
      `INSERT INTO accounts (kind, currency) VALUES ('issuance', $1)
       ON CONFLICT (kind, currency) WHERE user_id IS NULL DO NOTHING`,
      [account.currency],
    );
    const [issuance] = (
      await client.query<{ id: string }>(
        "SELECT id FROM accounts WHERE kind = 'issuance' AND currency = $1 AND user_id IS NULL",
        [account.currency],
      )
    ).rows;
    const [t] = (
      await client.query<{ id: string }>(
        "INSERT INTO transfers (kind, reference, currency) VALUES ('funding', $1, $2) RETURNING id",
        [`proof:${randomBytes(8).toString('hex')}`, account.currency],
      )
    ).rows;
    await client.query(
      `INSERT INTO postings (transfer_id, account_id, currency, amount)
       VALUES ($1, $2, $4, $5), ($1, $3, $4, $6)`,
      [t!.id, issuance!.id, accountId, account.currency, (-minor).toString(), minor.toString()],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}
