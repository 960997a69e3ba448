/**
 * Helpers of the Redis tests: bank instances sharing one Postgres schema and one Redis namespace
 * (as several instances behind a load balancer would), and a private redis-server that a test
 * may stop and start again (the shared one is never touched).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { BankConfig } from '../../src/config.js';
import type { KeyValueStores } from '../../src/kv/kv.js';
import { createRedisStores } from '../../src/kv/redis.js';
import { buildTestApp } from '../helpers/app.js';
import { TEST_REDIS_URL } from '../helpers/env.js';
import { World } from '../helpers/world.js';

/** Two bank instances on one database and one Redis namespace. */
export interface Cluster {
  world: World;
  /** Instance 1 (`world.app`) and instance 2. */
  one: FastifyInstance;
  two: FastifyInstance;
  /** The stores of instance 1 and 2, to look at what Redis holds. */
  stores: KeyValueStores[];
  close(): Promise<void>;
}

/** A fresh Redis namespace: every instance given the same prefix shares its keys. */
export function redisPrefix(): string {
  return `offpay-test:${randomBytes(6).toString('hex')}:`;
}

/** Builds two instances sharing Redis at `url` under one prefix. */
export async function cluster(
  config: Partial<BankConfig> = {},
  url = TEST_REDIS_URL,
): Promise<Cluster> {
  const prefix = redisPrefix();
  const stores: KeyValueStores[] = [];
  const open = async () => {
    const s = await createRedisStores(url, { prefix });
    stores.push(s);
    return s;
  };
  const world = await World.create({ stores: await open(), config });
  if (!world.schema) throw new Error('a cluster needs Postgres');
  const two = await buildTestApp({
    db: world.schema.open(),
    stores: await open(),
    now: () => world.clock,
    config,
  });
  return {
    world,
    one: world.app,
    two,
    stores,
    async close() {
      await two.close();
      await world.close();
      await Promise.all(stores.map((s) => s.close()));
    },
  };
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** A redis-server of this test's own, without persistence, that it may stop and restart. */
export class PrivateRedis {
  private child: ChildProcess | null = null;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server and resolves once it accepts connections. */
  async start(): Promise<void> {
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start: ${output}`)),
        10_000,
      );
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${output}`));
      });
    });
  }

  /** Kills the server (as a crash would) and resolves once it has exited. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/** Polls `probe` until it returns true, or fails after `timeoutMs`. */
export async function eventually(
  probe: () => Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
