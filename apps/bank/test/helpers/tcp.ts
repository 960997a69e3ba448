/**
 * TCP stand-ins for a sick dependency, so fault tests never touch the shared Postgres or Redis
 * servers: a proxy in front of the real server that can cut every connection and refuse new ones
 * (the server is down) or stop passing bytes (a hung server: SIGSTOP, a stuck network), and a
 * server that accepts connections and never answers.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

/** A proxy from a loopback port to `target`. */
export class TcpProxy {
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  #server: Server | null = null;
  #port = 0;
  #frozen = false;
  /** What clients sent while frozen, forwarded on thaw (as a process resumed from SIGSTOP). */
  readonly #held: [Socket, Buffer][] = [];
  /** Bytes clients sent while the proxy was frozen. */
  heldBytes = 0;

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
  }

  /** Starts a proxy to `host:port`. */
  static async start(host: string, port: number): Promise<TcpProxy> {
    const proxy = new TcpProxy({ host, port });
    await proxy.#listen(0);
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  /** `url` with its host and port replaced by the proxy's. */
  url(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.#port);
    return u.toString();
  }

  #listen(port: number): Promise<void> {
    const server = createServer((client) => this.#pipe(client));
    this.#server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        this.#port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  #pipe(client: Socket): void {
    const upstream = connect(this.#target.port, this.#target.host);
    for (const s of [client, upstream]) {
      this.#sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.#sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      if (!this.#frozen) upstream.write(chunk);
      else {
        this.heldBytes += chunk.length;
        this.#held.push([upstream, chunk]);
      }
    });
    // The server side: while frozen it sends nothing, since it received nothing to answer.
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
  }

  /** The server goes down: every connection is reset and new ones are refused. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const s of this.#sockets) s.resetAndDestroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  /** The server is back, on the same port. */
  async restore(): Promise<void> {
    if (!this.#server) await this.#listen(this.#port);
  }

  /** The server hangs: connections stay open, nothing passes either way. */
  freeze(): void {
    this.#frozen = true;
  }

  /**
   * How many RESP commands (arrays of bulk strings, what a Redis client sends) clients sent while
   * the proxy was frozen.
   */
  heldRedisCommands(): number {
    const perConnection = new Map<Socket, Buffer[]>();
    for (const [socket, chunk] of this.#held) {
      perConnection.set(socket, [...(perConnection.get(socket) ?? []), chunk]);
    }
    let count = 0;
    for (const chunks of perConnection.values()) count += countRespCommands(Buffer.concat(chunks));
    return count;
  }

  /** The server answers again, starting with what it was sent while frozen. */
  thaw(): void {
    this.#frozen = false;
    for (const [upstream, chunk] of this.#held.splice(0)) upstream.write(chunk);
  }

  async close(): Promise<void> {
    await this.cut();
  }
}

/** Counts the complete RESP arrays (`*N` then N `$len` bulk strings) at the start of `bytes`. */
function countRespCommands(bytes: Buffer): number {
  let at = 0;
  let count = 0;
  const line = (): string | null => {
    const end = bytes.indexOf('\r\n', at);
    if (end < 0) return null;
    const text = bytes.toString('latin1', at, end);
    at = end + 2;
    return text;
  };
  for (;;) {
    const header = line();
    if (header === null || !header.startsWith('*')) return count;
    for (let i = Number(header.slice(1)); i > 0; i--) {
      const bulk = line();
      if (bulk === null || !bulk.startsWith('$')) return count;
      at += Number(bulk.slice(1)) + 2;
    }
    if (at > bytes.length) return count;
    count++;
  }
}
