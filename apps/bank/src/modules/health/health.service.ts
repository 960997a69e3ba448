/** Readiness: the database must answer; Redis, when configured, may be down (then "degraded"). */
import type { readinessSchema } from '@offpay/api';
import type { z } from 'zod';
import type { Database } from '../../db/queryable.js';
import type { KeyValueStores } from '../../kv/kv.js';
import { pingDatabase } from './health.repo.js';

/** The readiness report of GET /readyz. */
export type Readiness = z.infer<typeof readinessSchema>;

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
  const probe = pingDatabase(db).then(
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
