import { afterAll, beforeAll } from 'vitest';
import type { Database } from '../../../src/db/queryable.js';
import type { TestSchema } from '../../helpers/db.js';
import { createMigratedDatabase } from '../../helpers/db.js';
import { describeLedgerSuite } from '../../suites/ledger.suite.js';

let db: Database;
let schema: TestSchema;

beforeAll(async () => {
  ({ db, schema } = await createMigratedDatabase());
});
afterAll(async () => {
  await schema.drop();
});

describeLedgerSuite('Postgres', () => db);
