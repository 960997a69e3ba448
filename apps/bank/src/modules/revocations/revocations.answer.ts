/**
 * The JSON answer of GET /v1/revocations with the full list, serialised once per list. At 100,000
 * serials, checking 100,000 serial strings against the response schema and writing them out was
 * most of the request's time (docs/PERFORMANCE.md "Revocation list"); a list never changes under
 * its seq, so its answer is kept in this instance, and each request only appends its `bankTime`.
 */
import { routes } from '@offpay/api';
import { toBase64Url } from '@offpay/crypto';
import type { RevocationListView } from './revocations.list.js';

/** The full-list answer as the route's schema types it. */
type FullListAnswer = {
  kind: 'list';
  seq: number;
  issuedAt: string;
  serials: string[];
  signed: string;
  bankTime: string;
};

/** The answer's last member, which changes with each request: `,"bankTime":"…"}`. */
function bankTimeTail(bankTime: string): string {
  return `,${JSON.stringify({ bankTime }).slice(1)}`;
}

/**
 * The answer exactly as Fastify's serializer (fastify-type-provider-zod) writes it: encoded by the
 * route's response schema, then `JSON.stringify`.
 * @throws Error when the list does not fit the schema (a bug: a 500, as before)
 */
function serialise(list: RevocationListView, bankTime: string): string {
  const answer: FullListAnswer = {
    kind: 'list',
    seq: list.seq,
    issuedAt: list.issuedAt.toISOString(),
    serials: list.serials.map(String),
    signed: toBase64Url(list.signed),
    bankTime,
  };
  const encoded = routes.revocations.response.safeEncode(answer);
  if (!encoded.success)
    throw new Error('the revocation list does not fit the answer of GET /v1/revocations', {
      cause: encoded.error,
    });
  return JSON.stringify(encoded.data);
}

/**
 * A serialiser of the full-list answer that keeps the last list's JSON (all but `bankTime`). It
 * is serialised again only when the list changes: another seq, or other signed bytes (signed
 * under another key) — both compared by identity, as the list reader keeps one view per seq.
 */
export function fullListSerialiser(): (list: RevocationListView, bankTime: string) => string {
  let kept: { seq: number; signed: Uint8Array; head: string } | undefined;
  return (list, bankTime) => {
    if (kept?.seq === list.seq && kept.signed === list.signed)
      return kept.head + bankTimeTail(bankTime);
    const body = serialise(list, bankTime);
    const tail = bankTimeTail(bankTime);
    // bankTime is the schema's last member; were it not, the answer is simply not kept.
    kept = body.endsWith(tail)
      ? { seq: list.seq, signed: list.signed, head: body.slice(0, -tail.length) }
      : undefined;
    return body;
  };
}
