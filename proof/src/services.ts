/**
 * Services a scenario owns and may break: its own redis-server on a free port (never the shared
 * 6379), and its own Postgres cluster in a temporary folder made with Debian's binaries (never
 * the shared server). initdb refuses root, so as root the cluster runs as the `postgres` user.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, sleep } from './bank-process.js';

/** A redis-server of the scenario's own. */
export class OwnRedis {
  #child: ChildProcess | null = null;
  readonly url: string;

  private constructor(readonly port: number) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  /** Starts redis-server on a free port, no persistence, and waits for PONG. */
  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort());
    await redis.spawn();
    return redis;
  }

  /** (Re)starts the server on the same port. */
  async spawn(): Promise<void> {
    this.#child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100; i++) {
      if (this.ping()) return;
      await sleep(50);
    }
    throw new Error(`redis-server on ${this.port} did not start`);
  }

  /** True when the server answers PONG within a second. */
  ping(): boolean {
    try {
      const out = execFileSync('redis-cli', ['-p', String(this.port), 'ping'], {
        timeout: 1000,
        encoding: 'utf8',
      });
      return out.trim() === 'PONG';
    } catch {
      return false;
    }
  }

  /** SIGKILL: Redis dies with everything it held. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await gone;
    this.#child = null;
  }

  /** SIGSTOP: Redis hangs — connections stay open, nothing answers. */
  freeze(): void {
    this.#child?.kill('SIGSTOP');
  }

  /** SIGCONT: Redis answers again. */
  thaw(): void {
    this.#child?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    this.thaw();
    await this.kill();
  }
}

/** The newest Debian Postgres binaries folder (`/usr/lib/postgresql/<version>/bin`). */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(a) - Number(b))
    : [];
  const newest = versions.at(-1);
  if (!newest) throw new Error('no Postgres binaries under /usr/lib/postgresql/*/bin');
  return join(root, newest, 'bin');
}

/** A Postgres cluster of the scenario's own, in a temporary folder, trust auth on 127.0.0.1. */
export class OwnPostgres {
  readonly bin = postgresBinDir();
  readonly #asPostgres = process.getuid?.() === 0;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** initdb, start, and a database `offpay` for role `offpay`. */
  static async start(): Promise<OwnPostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'offpay-proof-pg-'));
    const pg = new OwnPostgres(dir, await freePort());
    if (pg.#asPostgres) {
      const { uid, gid } = postgresIds();
      chownSync(dir, uid, gid);
    }
    chmodSync(dir, 0o700);
    pg.#run('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
    pg.pgCtl('start');
    pg.#run('psql', ['-h', '127.0.0.1', '-p', String(pg.port), '-U', 'postgres', '-qc', SETUP]);
    pg.#run('createdb', [
      '-h',
      '127.0.0.1',
      '-p',
      String(pg.port),
      '-U',
      'postgres',
      '-O',
      'offpay',
      'offpay',
    ]);
    return pg;
  }

  /** The URL the bank uses. */
  get url(): string {
    return `postgres://offpay:offpay@127.0.0.1:${this.port}/offpay`;
  }

  /** The URL of the superuser (to terminate backends). */
  get adminUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/offpay`;
  }

  /** `pg_ctl start|stop|restart` (fast shutdown: open transactions are aborted). */
  pgCtl(action: 'start' | 'stop' | 'restart'): void {
    const opts = `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${this.dir} -c fsync=off -c max_connections=200`;
    const args = ['-D', join(this.dir, 'data'), '-l', join(this.dir, 'log'), '-w', '-m', 'fast'];
    this.#run('pg_ctl', action === 'stop' ? [...args, 'stop'] : [...args, '-o', opts, action]);
  }

  /** Stops the cluster and removes its folder. */
  stop(): void {
    try {
      this.pgCtl('stop');
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  #run(tool: string, args: string[]): void {
    const exe = join(this.bin, tool);
    const [cmd, argv] = this.#asPostgres
      ? [RUNUSER, ['-u', 'postgres', '--', exe, ...args]]
      : [exe, args];
    execFileSync(cmd, argv, { stdio: 'pipe', timeout: 60_000, cwd: tmpdir() });
  }
}

const SETUP = "CREATE ROLE offpay LOGIN PASSWORD 'offpay'";

// util-linux's runuser lives in sbin, which a non-login root shell may not have on PATH.
const RUNUSER = ['/usr/sbin/runuser', '/sbin/runuser'].find((p) => existsSync(p)) ?? 'runuser';

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}
