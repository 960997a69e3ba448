/** Key-value stores: Redis at REDIS_URL, else in-process (one bank instance only). */
import fp from 'fastify-plugin';
import type { BankConfig } from '../config.js';
import { countFailures } from '../kv/instrument.js';
import type { KeyValueStores } from '../kv/kv.js';
import { createMemoryStores } from '../kv/memory.js';
import { createRedisStores } from '../kv/redis.js';

declare module 'fastify' {
  interface FastifyInstance {
    kv: KeyValueStores;
  }
}

/** Options: the config, or stores the caller owns (tests); the app closes only its own. */
export interface KvPluginOptions {
  config: BankConfig;
  stores?: KeyValueStores;
}

export default fp<KvPluginOptions>(
  async (app, { config, stores }) => {
    let kv = stores;
    if (!kv) {
      kv = config.redisUrl
        ? await createRedisStores(config.redisUrl, {
            onError: (err) =>
              app.log.warn({ err: err.message }, 'Redis unavailable: running degraded on Postgres'),
            onReady: () => app.log.info('Redis connected'),
          })
        : createMemoryStores();
      const owned = kv;
      app.addHook('onClose', async () => owned.close());
    }
    // Every failed Redis call is counted by role (offpay_redis_failures_total). The metrics are
    // built by the services plugin, after this one: look them up when a failure happens.
    const counted =
      kv.backend === 'redis'
        ? countFailures(kv, (role) => {
            if (app.hasDecorator('metrics')) app.metrics.redisFailures.inc({ role });
          })
        : kv;
    app.decorate('kv', counted);
  },
  { name: 'offpay-kv' },
);
