/** A server-sent-events client for tests: fetch with the Bearer header and a stream reader. */

/** One event or comment of the stream. */
export interface SseFrame {
  event?: string;
  data?: string;
  comment?: string;
}

function parseFrame(text: string): SseFrame {
  const frame: SseFrame = {};
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) frame.comment = line.slice(1).trim();
    else if (line.startsWith('event:')) frame.event = line.slice(6).trim();
    else if (line.startsWith('data:')) frame.data = line.slice(5).trim();
  }
  return frame;
}

/** An open stream. */
export class SseStream {
  private buffer = '';
  private readonly decoder = new TextDecoder();

  private constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly abort: AbortController,
    readonly headers: Headers,
  ) {}

  /**
   * Opens `url` with `token`; the stream, or the status and JSON body of a refusal.
   */
  static async open(
    url: string,
    token?: string,
    extraHeaders: Record<string, string> = {},
  ): Promise<SseStream | { status: number; body: { code: string }; headers: Headers }> {
    const abort = new AbortController();
    const res = await fetch(url, {
      headers: { ...extraHeaders, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      signal: abort.signal,
    });
    if (res.status !== 200 || !res.body) {
      return {
        status: res.status,
        body: (await res.json()) as { code: string },
        headers: res.headers,
      };
    }
    return new SseStream(res.body.getReader(), abort, res.headers);
  }

  /** The next frame that `match`es (others are skipped), or an error after `timeoutMs`. */
  async next(match: (f: SseFrame) => boolean = () => true, timeoutMs = 5_000): Promise<SseFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.buffer.indexOf('\n\n');
      if (end >= 0) {
        const frame = parseFrame(this.buffer.slice(0, end));
        this.buffer = this.buffer.slice(end + 2);
        if (match(frame)) return frame;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no matching frame in time');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>(
        (resolve) => (timer = setTimeout(() => resolve(null), left)),
      );
      const chunk = await Promise.race([this.reader.read(), timeout]);
      clearTimeout(timer);
      if (chunk === null) throw new Error('no matching frame in time');
      if (chunk.done) throw new Error('the stream ended');
      this.buffer += this.decoder.decode(chunk.value, { stream: true });
    }
  }

  /** The next settlement event's data. */
  async nextEvent(timeoutMs?: number): Promise<unknown> {
    const frame = await this.next((f) => f.event === 'settlement', timeoutMs);
    return JSON.parse(frame.data ?? 'null');
  }

  /** Closes the connection, as a client going away does. */
  close(): void {
    void this.reader.cancel().catch(() => undefined);
    this.abort.abort();
  }
}
