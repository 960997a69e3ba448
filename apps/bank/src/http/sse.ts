/**
 * Server-sent event streams (WHATWG HTML §9.2) written on the raw response: the headers every
 * stream sends, and a writer that drops a client reading slower than events come. Used by
 * GET /v1/settlements/events and GET /v1/operator/activity.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';

/** A client that reads slower than events come loses its stream past this many buffered bytes. */
export const MAX_BUFFERED_BYTES = 1 << 20;

/** setTimeout's longest delay (about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  // nginx would otherwise buffer the stream.
  'x-accel-buffering': 'no',
};

/** The writer side of one open stream; `onOverflow` runs when the client falls too far behind. */
export function sseWriter(reply: FastifyReply, onOverflow: () => void) {
  return (text: string): void => {
    const raw = reply.raw;
    if (raw.writableEnded || raw.destroyed) return;
    raw.write(text);
    if (raw.writableLength > MAX_BUFFERED_BYTES) onOverflow();
  };
}

/** Takes the response over from Fastify and sends 200 with the stream headers. */
export function startSse(reply: FastifyReply): void {
  reply.hijack();
  // Headers set by hooks (CORS for the browser apps) go out with the raw stream too.
  const hooked = Object.entries(reply.getHeaders()).filter(([, v]) => v !== undefined);
  reply.raw.writeHead(200, {
    ...(Object.fromEntries(hooked) as OutgoingHttpHeaders),
    ...SSE_HEADERS,
  });
}
