/**
 * Which IP addresses the bank never calls for a webhook (docs/webhooks.md "What the bank will not
 * call"): loopback, private, link-local, CGNAT, unique-local, multicast and reserved ranges, and
 * IPv6 forms that carry such an IPv4 address (IPv4-mapped, NAT64, 6to4). Pure: strings in,
 * booleans out; no DNS here (webhooks.http.ts resolves, then asks this module).
 */

/** Parses dotted-decimal IPv4 (four 0–255 parts, no leading zeros) to its four bytes, or null. */
function parseIpv4(s: string): [number, number, number, number] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const bytes = parts.map((p) => (/^(0|[1-9]\d{0,2})$/.test(p) ? Number(p) : NaN));
  if (bytes.some((b) => !(b >= 0 && b <= 255))) return null;
  return bytes as [number, number, number, number];
}

function groupsOf(part: string): number[] | null {
  if (part === '') return [];
  const out: number[] = [];
  for (const g of part.split(':')) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    out.push(parseInt(g, 16));
  }
  return out;
}

/** Parses an IPv6 address (RFC 4291 §2.2 text forms, an optional %zone) to 8 groups, or null. */
function parseIpv6(input: string): number[] | null {
  let s = input.replace(/%.*$/, '').toLowerCase();
  // A dotted IPv4 tail (::ffff:10.0.0.1) is the last two groups (RFC 4291 §2.2 form 3).
  const tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (!v4) return null;
    tail.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    s = s.slice(0, lastColon + 1);
    if (!s.endsWith('::')) s = s.slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = groupsOf(halves[0]!);
  const rest = halves.length === 2 ? groupsOf(halves[1]!) : [];
  if (!head || !rest) return null;
  const known = head.length + rest.length + tail.length;
  if (halves.length === 1) return known === 8 ? [...head, ...tail] : null;
  if (known > 7) return null;
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
}

function blockedIpv4([a, b, c]: readonly number[]): boolean {
  return (
    a === 0 || // "this network" (RFC 791)
    a === 10 || // private (RFC 1918)
    (a === 100 && b! >= 64 && b! <= 127) || // CGNAT shared space (RFC 6598)
    a === 127 || // loopback
    (a === 169 && b === 254) || // link-local, cloud metadata (RFC 3927)
    (a === 172 && b! >= 16 && b! <= 31) || // private (RFC 1918)
    (a === 192 && b === 0 && c === 0) || // IETF protocol assignments (RFC 6890)
    (a === 192 && b === 168) || // private (RFC 1918)
    (a === 198 && (b === 18 || b === 19)) || // benchmarking (RFC 2544)
    a! >= 224 // multicast, reserved, broadcast
  );
}

function v4From(hi: number, lo: number): number[] {
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
}

function blockedIpv6(g: readonly number[]): boolean {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, ...number[]];
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(7) && (g7 === 0 || g7 === 1)) return true; // :: and ::1
  if (zeroTo(5) && g5 === 0xffff) return blockedIpv4(v4From(g6!, g7!)); // IPv4-mapped
  if (zeroTo(6)) return blockedIpv4(v4From(g6!, g7!)); // IPv4-compatible (deprecated)
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0)
    return blockedIpv4(v4From(g6!, g7!)); // NAT64 (RFC 6052)
  if (g0 === 0x2002) return blockedIpv4(v4From(g1!, g2!)); // 6to4 (RFC 3056)
  return (
    (g0 & 0xfe00) === 0xfc00 || // unique-local fc00::/7 (RFC 4193)
    (g0 & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (g0 & 0xffc0) === 0xfec0 || // site-local fec0::/10 (deprecated)
    (g0 & 0xff00) === 0xff00 // multicast
  );
}

/**
 * True when the bank must not connect to `address` (an IPv4 or IPv6 literal, as DNS answers it or
 * as a URL names it, brackets allowed). Anything that does not parse is blocked: fail closed.
 */
export function isBlockedAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const v4 = parseIpv4(bare);
  if (v4) return blockedIpv4(v4);
  const v6 = bare.includes(':') ? parseIpv6(bare) : null;
  return v6 ? blockedIpv6(v6) : true;
}

/** True when `host` is an IP literal (IPv4 dotted decimal, or IPv6 with or without brackets). */
export function isIpLiteral(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return parseIpv4(bare) !== null || (bare.includes(':') && parseIpv6(bare) !== null);
}
