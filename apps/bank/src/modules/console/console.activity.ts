/**
 * The live activity panel's figures (docs/operations.md "The console"): settlements in the last
 * minute, reserves outstanding, fraud proofs and revocations (last 24 h and all), and the health
 * of Postgres and Redis. A snapshot never fails: with Postgres down it says so and keeps the
 * figures it read last; Redis is only reported on (nothing here reads it).
 */
import type { Database, Queryable } from '../../db/queryable.js';
import { bankFail } from '../../errors.js';
import type { OperatorAction, OperatorActor } from '../operators/operators.domain.js';
import type { Tally } from './console.domain.js';
import * as repo from './console.summary.repo.js';

/** One snapshot. */
export interface ActivitySnapshot {
  at: Date;
  settlementsLastMinute: Map<string, Tally>;
  reservesOutstanding: Map<string, bigint>;
  fraudProofs: { last24h: number; total: number };
  revocations: { last24h: number; total: number };
  database: 'ok' | 'down';
  redis: 'ok' | 'down' | 'not-configured';
}

/** What the activity needs. */
export interface ActivityDeps {
  db: Database;
  now: () => Date;
  record: (tx: Queryable, actor: OperatorActor, action: OperatorAction) => Promise<void>;
  /** Database and Redis health (the health service's readiness). */
  readiness: () => Promise<{ database: 'ok' | 'down'; redis: 'ok' | 'down' | 'not-configured' }>;
  activity: { intervalSeconds: number; maxStreamsPerOperator: number };
}

/** The activity stream's service side. */
export interface ConsoleActivity {
  readonly intervalSeconds: number;
  /**
   * Takes one of the operator's stream slots and audits the opening; call the returned function
   * once when the stream ends. @throws BANK_RATE_LIMITED when the operator has too many open
   */
  open(actor: OperatorActor): Promise<() => void>;
  /** A snapshot now; figures Postgres cannot give now are `last`'s (zeros with none). */
  snapshot(last: ActivitySnapshot | null): Promise<ActivitySnapshot>;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Builds the activity side of the console. */
export function createActivity(deps: ActivityDeps): ConsoleActivity {
  const open = new Map<string, number>();
  const { intervalSeconds, maxStreamsPerOperator } = deps.activity;

  async function figures(at: Date) {
    const settled = await repo.settledBetween(
      deps.db,
      new Date(at.getTime() - MINUTE_MS),
      new Date(at.getTime() + 1),
    );
    const reserves = await repo.reservesNow(deps.db);
    const risk = await repo.riskCounts(deps.db, new Date(at.getTime() - DAY_MS));
    return { settled, reserves, risk };
  }

  return {
    intervalSeconds,

    async open(actor) {
      const n = open.get(actor.id) ?? 0;
      if (n >= maxStreamsPerOperator) {
        bankFail('BANK_RATE_LIMITED', 'Too many open activity streams for this operator', {
          limit: maxStreamsPerOperator,
          retryAfterSeconds: intervalSeconds,
        });
      }
      open.set(actor.id, n + 1);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        const left = (open.get(actor.id) ?? 1) - 1;
        if (left <= 0) open.delete(actor.id);
        else open.set(actor.id, left);
      };
      try {
        await deps.db.transaction((tx) =>
          deps.record(tx, actor, {
            action: 'operator.read',
            target: 'activity',
            data: { intervalSeconds },
          }),
        );
      } catch (err) {
        release();
        throw err;
      }
      return release;
    },

    async snapshot(last) {
      const at = deps.now();
      const health = await deps.readiness();
      const read = health.database === 'ok' ? await figures(at).catch(() => null) : null;
      return {
        at,
        settlementsLastMinute:
          read?.settled ?? last?.settlementsLastMinute ?? new Map<string, Tally>(),
        reservesOutstanding:
          read?.reserves ?? last?.reservesOutstanding ?? new Map<string, bigint>(),
        fraudProofs: read
          ? { last24h: read.risk.proofs.recent, total: read.risk.proofs.total }
          : (last?.fraudProofs ?? { last24h: 0, total: 0 }),
        revocations: read
          ? { last24h: read.risk.revocations.recent, total: read.risk.revocations.total }
          : (last?.revocations ?? { last24h: 0, total: 0 }),
        database: read ? 'ok' : 'down',
        redis: health.redis,
      };
    },
  };
}
