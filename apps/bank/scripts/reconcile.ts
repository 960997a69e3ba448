/**
 * Checks a live bank database against every ledger invariant (docs/operations.md
 * "Reconciliation"); read-only, safe while the bank runs:
 *
 *   DATABASE_URL=postgres://… pnpm --filter @offpay/bank reconcile [--schema NAME] [--json]
 *
 * `--schema` selects the schema through the connection's search_path (the URL's own
 * `?options=-c search_path=…` works too). Exit status: 0 when the books agree, 1 when an
 * invariant is violated (each named with its code and rows), 2 when reconcile could not run.
 */
import { parseArgs } from 'node:util';
import { createPgDatabase } from '../src/db/pg.js';
import { formatViolations } from '../src/modules/reconcile/reconcile.domain.js';
import { reconcile } from '../src/modules/reconcile/reconcile.service.js';

const USAGE = 'usage: DATABASE_URL=postgres://… reconcile [--schema NAME] [--json]';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function databaseUrl(): { url: string; json: boolean } {
  const { values } = parseArgs({
    options: { schema: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const base = process.env['DATABASE_URL'];
  if (!base) throw new Error(`DATABASE_URL is not set\n${USAGE}`);
  const url = new URL(base);
  if (values.schema !== undefined) {
    if (!SCHEMA_NAME.test(values.schema)) throw new Error(`--schema: not a schema name\n${USAGE}`);
    url.searchParams.set('options', `-c search_path=${values.schema}`);
  }
  return { url: url.toString(), json: values.json ?? false };
}

let input: ReturnType<typeof databaseUrl>;
try {
  input = databaseUrl();
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
}
const db = createPgDatabase(input.url, { max: 1 });
try {
  const report = await reconcile(db);
  if (input.json) console.log(JSON.stringify(report));
  else {
    const c = report.checked;
    console.log(
      `checked ${c.certificates} certificates, ${c.settlements} settlements, ` +
        `${c.payments} settled payments, ${c.proofs} fraud proofs, ${c.deposits} deposits, ` +
        `${c.payouts} payouts`,
    );
    console.log(formatViolations(report.violations));
  }
  process.exitCode = report.violations.length === 0 ? 0 : 1;
} catch (err) {
  // The URL may carry a password: name the failure, never the URL.
  console.error(`reconcile could not run: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
} finally {
  await db.close();
}
