/**
 * The one HTTP call of webhook delivery, pinned to checked addresses (docs/webhooks.md "What the
 * bank will not call"): the receiver's host is resolved once, every address it resolves to is
 * checked, and the connection goes to those addresses only — Node's `lookup` option hands them
 * to the socket, so no second DNS answer (rebinding) can send it elsewhere. TLS still checks the
 * certificate against the host name (SNI and verification use `servername`, not the address).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isBlockedAddress, isIpLiteral } from './webhooks.address.js';

/** One address a host resolves to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (the system's resolver by default). */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

/** The system resolver (getaddrinfo, as any other connection of the process would use). */
export const systemResolver: Resolver = async (host) => {
  const all = await dnsLookup(host, { all: true, verbatim: true });
  return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** The outcome of resolving and checking a receiver's host. */
export type CheckedHost =
  { ok: true; addresses: ResolvedAddress[] } | { ok: false; reason: 'private' | 'unresolved' };

/**
 * Resolves `url`'s host and checks every address: one blocked address refuses the host (a name
 * with a public and a private answer could be steered to either). With `allowPrivate`
 * (WEBHOOK_ALLOW_HTTP, never in production) nothing is refused. An IP literal is its own answer.
 * @throws whatever `resolve` throws (a DNS failure: the caller retries it like a refused connection)
 */
export async function resolveChecked(
  url: URL,
  resolve: Resolver,
  allowPrivate: boolean,
): Promise<CheckedHost> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses: ResolvedAddress[] = isIpLiteral(host)
    ? [{ address: host, family: host.includes(':') ? 6 : 4 }]
    : await resolve(host);
  if (addresses.length === 0) return { ok: false, reason: 'unresolved' };
  if (!allowPrivate && addresses.some((a) => isBlockedAddress(a.address)))
    return { ok: false, reason: 'private' };
  return { ok: true, addresses };
}

/**
 * A `lookup` for net/tls that answers only `addresses`, in both of dns.lookup's shapes: Node ≥ 20
 * asks with `{ all: true }` when it races address families (autoSelectFamily), and a single
 * address otherwise.
 */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (_host, options, callback) => {
    const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
    const usable = addresses.filter((a) => wanted === undefined || a.family === wanted);
    if (usable.length === 0) {
      callback(Object.assign(new Error('no checked address'), { code: 'ENOTFOUND' }), '', 0);
    } else if (options.all) {
      callback(null, usable);
    } else {
      callback(null, usable[0]!.address, usable[0]!.family);
    }
  };
}

/** What to send. */
export interface PinnedPost {
  url: URL;
  addresses: ResolvedAddress[];
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/**
 * POSTs `body` to `url` over a connection to one of `addresses`. Resolves with the answer's status
 * once its headers arrive; the body is never read, redirects never followed.
 * @throws the request's error (`AbortError` after `timeoutMs`; a `code` such as `ECONNREFUSED`
 *   or `ERR_TLS_CERT_ALTNAME_INVALID` otherwise)
 */
export function pinnedPost(p: PinnedPost): Promise<number> {
  const host = p.url.hostname.replace(/^\[|\]$/g, '');
  const request = p.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        protocol: p.url.protocol,
        hostname: host,
        port: p.url.port === '' ? undefined : Number(p.url.port),
        path: `${p.url.pathname}${p.url.search}`,
        method: 'POST',
        headers: { ...p.headers, 'content-length': String(Buffer.byteLength(p.body)) },
        lookup: pinnedLookup(p.addresses),
        // SNI and the certificate's name check are against the host, never the address.
        ...(isIpLiteral(host) ? {} : { servername: host }),
        agent: false,
        signal: AbortSignal.timeout(p.timeoutMs),
      },
      (res: IncomingMessage) => {
        // The status is all that counts: the body is dropped unread (bounded: none at all).
        res.destroy();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(p.body);
  });
}
