/** Readiness: the database must answer; Redis, when configured, may be down (then "degraded"). */
import type { Database } from '../../db/queryable.js';
import type { KeyValueStores } from '../../kv/kv.js';

/** The readiness report of GET /readyz. */
export interface Readiness {
  status: 'ready' | 'degraded' | 'unavailable';
  database: 'ok' | 'down';
  redis: 'ok' | 'down' | 'not-configured';
}

/** Health checks. */
export interface HealthService {
  readiness(): Promise<Readiness>;
}

const CHECK_TIMEOUT_MS = 2_000;

async function databaseAnswers(db: Database): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
  });
  const probe = db.query('SELECT 1').then(
    () => true,
    () => false,
  );
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Builds the health service. */
export function createHealthService(deps: { db: Database; kv: KeyValueStores }): HealthService {
  return {
    async readiness() {
      const [dbOk, redisOk] = await Promise.all([databaseAnswers(deps.db), deps.kv.ping()]);
      const redis = deps.kv.backend === 'memory' ? 'not-configured' : redisOk ? 'ok' : 'down';
      const status = !dbOk ? 'unavailable' : redis === 'down' ? 'degraded' : 'ready';
      return { status, database: dbOk ? 'ok' : 'down', redis };
    },
  };
}
