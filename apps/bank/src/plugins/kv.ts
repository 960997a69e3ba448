/** Key-value stores: Redis at REDIS_URL, else in-process (one bank instance only). */
import fp from 'fastify-plugin';
import type { BankConfig } from '../config.js';
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
    app.decorate('kv', kv);
  },
  { name: 'offpay-kv' },
);
