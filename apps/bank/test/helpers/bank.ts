/**
 * The bank under test: one app on a fresh Postgres schema (or the embedded PGlite), with a clock
 * the test moves and in-memory stores that follow that clock, unless the test brings its own
 * stores (Redis). What users, devices and batches do with it lives beside this file.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { runMigrations } from '../../src/db/migrate.js';
import { createPgliteDatabase } from '../../src/db/pglite.js';
import type { Database } from '../../src/db/queryable.js';
import { createMemoryStores } from '../../src/kv/memory.js';
import { buildTestApp, type TestAppOptions } from './app.js';
import { createMigratedDatabase, type TestSchema } from './db.js';

/** How to build a {@link TestBank}. */
export interface TestBankOptions extends Partial<Omit<TestAppOptions, 'db' | 'now'>> {
  /** The bank clock at start; default: the real time. */
  clock?: Date;
  /** The embedded default (PGlite, in memory) instead of a Postgres schema. */
  embedded?: boolean;
}

/** Someone the bank knows: a token to send, or nobody. */
export interface Caller {
  token: string;
}

/** A bank, its database and its clock. Call {@link TestBank.start} before use. */
export class TestBank {
  app!: FastifyInstance;
  db!: Database;
  /** The Postgres schema, or null for the embedded PGlite database. */
  schema: TestSchema | null = null;
  /** The bank's clock: every rule that depends on time reads it. */
  clock: Date;
  readonly #embedded: boolean;
  readonly #appOptions: Partial<Omit<TestAppOptions, 'db' | 'now'>>;

  constructor(options: TestBankOptions = {}) {
    const { clock, embedded, ...app } = options;
    this.clock = clock ?? new Date();
    this.#embedded = embedded ?? false;
    this.#appOptions = app;
  }

  /** Builds the bank on a fresh, migrated database. */
  async start(): Promise<this> {
    if (this.#embedded) {
      this.db = await createPgliteDatabase();
      await runMigrations(this.db);
    } else {
      ({ db: this.db, schema: this.schema } = await createMigratedDatabase());
    }
    this.app = await buildTestApp({
      stores: createMemoryStores(() => this.clock.getTime()),
      ...this.#appOptions,
      db: this.db,
      now: () => this.clock,
    });
    return this;
  }

  /** Closes the bank and drops its schema (or closes the embedded database). */
  async stop(): Promise<void> {
    await this.app.close();
    if (this.schema) await this.schema.drop();
    else await this.db.close();
  }

  /** Bank time in Unix seconds. */
  get now(): number {
    return Math.floor(this.clock.getTime() / 1000);
  }

  /** Moves the bank clock by `seconds`. */
  advance(seconds: number): void {
    this.clock = new Date(this.clock.getTime() + seconds * 1000);
  }

  /** Another bank instance on the same database (for cross-instance races; Postgres only). */
  async secondInstance(): Promise<FastifyInstance> {
    if (!this.schema) throw new Error('a second instance needs a Postgres server');
    return buildTestApp({ db: this.schema.open(), now: () => this.clock });
  }

  /** POST `url` with a JSON body, as `caller` when given. */
  post(url: string, payload?: object, caller?: Caller): Promise<LightMyRequestResponse> {
    return this.app.inject({
      method: 'POST',
      url,
      ...(payload ? { payload } : {}),
      ...(caller ? { headers: auth(caller) } : {}),
    });
  }

  /** GET `url`, as `caller` when given. */
  get(url: string, caller?: Caller): Promise<LightMyRequestResponse> {
    return this.app.inject({ url, ...(caller ? { headers: auth(caller) } : {}) });
  }
}

/** The Authorization header of a caller. */
export function auth(caller: Caller): Record<string, string> {
  return { authorization: `Bearer ${caller.token}` };
}
