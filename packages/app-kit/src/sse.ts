/**
 * An incremental parser of server-sent events (HTML Living Standard §9.2.6 "Interpreting an
 * event stream"): text goes in in chunks of any size, split anywhere; complete events come out.
 * Lines end with CRLF, LF or CR; `:` lines are comments; `data` lines join with LF; an event
 * is dispatched at a blank line, and only when it has data. Bounded: a line or an event larger
 * than the limit stops the stream.
 */

/** One dispatched event. */
export interface SseEvent {
  /** The `event` field, or "message" when none was given. */
  event: string;
  data: string;
}

/** Default bound on one line and on one event's data, in characters. */
export const MAX_SSE_EVENT_CHARS = 1 << 20;

export class SseParser {
  private line = '';
  private data: string[] = [];
  private dataChars = 0;
  private type = '';
  // The previous chunk ended with CR: an LF starting this one belongs to that line end.
  private afterCR = false;

  constructor(private readonly maxChars = MAX_SSE_EVENT_CHARS) {}

  /** Feeds decoded text. @throws RangeError when a line or an event passes the bound */
  push(chunk: string): SseEvent[] {
    const events: SseEvent[] = [];
    let start = 0;
    if (this.afterCR && chunk.startsWith('\n')) start = 1;
    if (chunk.length > 0) this.afterCR = false;
    for (let i = start; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.take(this.line + chunk.slice(start, i), events);
      this.line = '';
      if (c === 13) {
        if (i + 1 === chunk.length) this.afterCR = true;
        else if (chunk.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.line += chunk.slice(start);
    if (this.line.length > this.maxChars) throw new RangeError('event stream line too long');
    return events;
  }

  private take(line: string, events: SseEvent[]): void {
    if (line === '') {
      if (this.data.length > 0) {
        events.push({ event: this.type || 'message', data: this.data.join('\n') });
      }
      this.data = [];
      this.dataChars = 0;
      this.type = '';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'event') this.type = value;
    else if (name === 'data') {
      this.dataChars += value.length + 1;
      if (this.dataChars > this.maxChars) throw new RangeError('event stream event too large');
      this.data.push(value);
    }
    // `id` and `retry` matter only to EventSource reconnection; other fields are ignored (§9.2.6).
  }
}
