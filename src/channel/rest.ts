/** The bridge's answer to one request: its status and its JSON body (or text). */
export interface RestAnswer<T = unknown> {
  status: number;
  body: T;
  /** Seconds from a Retry-After header, when there is one. */
  retryAfter: number | null;
}

/** The bridge did not answer at all (refused, reset, DNS, timed out). */
export class BridgeUnreachable extends Error {}

/**
 * The agent's side of the bridge's REST API, with its code. The code goes only into
 * the Authorization header: never into a URL, a log line or an error message.
 */
export class RestClient {
  constructor(
    readonly url: string,
    private readonly code: string,
  ) {}

  /**
   * One request. Resolves with any HTTP answer (the caller reads the status); rejects
   * with BridgeUnreachable when nothing came back within `timeoutMs`, or with the
   * abort reason when `signal` fires.
   */
  async request<T = unknown>(
    method: string,
    path: string,
    opts: { body?: unknown; signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<RestAnswer<T>> {
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => ctl.abort(), opts.timeoutMs ?? 30_000);
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${this.code}`, accept: 'application/json' };
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      try {
        res = await fetch(this.url + path, {
          method,
          headers,
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
          signal: ctl.signal,
        });
      } catch (e) {
        if (opts.signal?.aborted) throw opts.signal.reason ?? e;
        throw new BridgeUnreachable(ctl.signal.aborted ? 'no answer in time' : describe(e));
      }
      let text: string;
      try {
        text = await res.text();
      } catch (e) {
        if (opts.signal?.aborted) throw opts.signal.reason ?? e;
        throw new BridgeUnreachable(`the answer was cut off (${describe(e)})`);
      }
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON (a proxy's error page): keep the text
      }
      const ra = Number(res.headers.get('retry-after'));
      return { status: res.status, body: body as T, retryAfter: Number.isFinite(ra) && ra > 0 ? ra : null };
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }
}

/** A short reason for a failed fetch: undici puts the system error (ECONNREFUSED…) in `cause`. */
function describe(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message ?? String(e);
}
