/**
 * JSON over HTTP for the benchmark: Node's fetch (undici), whose global dispatcher keeps
 * connections alive and pools them per origin, so a client of a loop reuses its socket.
 * Only loopback URLs are accepted: the benchmark never sends traffic anywhere else.
 */
export interface HttpResult<T = unknown> {
  status: number;
  body: T;
}

/** Per-request bound, so no loop can hang on a stuck server. */
const REQUEST_TIMEOUT_MS = 30_000;

export function assertLoopback(baseUrl: string): void {
  const host = new URL(baseUrl).hostname;
  if (!(host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host))) {
    throw new Error(`the benchmark only talks to loopback addresses, not ${host}`);
  }
}

export function httpClient(baseUrl: string) {
  assertLoopback(baseUrl);
  async function request<T = unknown>(method: string, path: string, opts: { token?: string; body?: unknown; timeoutMs?: number } = {}): Promise<HttpResult<T>> {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let payload: string | undefined;
    if (opts.body !== undefined) {
      payload = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(`${baseUrl}${path}`, { method, headers, body: payload, signal: AbortSignal.timeout(opts.timeoutMs ?? REQUEST_TIMEOUT_MS) });
    const text = await res.text();
    let body: unknown = text;
    if (text && (res.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text);
    return { status: res.status, body: body as T };
  }
  return {
    baseUrl,
    request,
    get: <T = unknown>(path: string, token?: string) => request<T>('GET', path, { token }),
    post: <T = unknown>(path: string, body: unknown, token?: string) => request<T>('POST', path, { token, body }),
  };
}
export type HttpClient = ReturnType<typeof httpClient>;

/** An error for an unexpected answer, carrying the status and a bit of the body. */
export class UnexpectedResponse extends Error {
  constructor(
    readonly what: string,
    readonly status: number,
    body: unknown,
  ) {
    super(`${what}: HTTP ${status} ${JSON.stringify(body).slice(0, 200)}`);
    this.name = 'UnexpectedResponse';
  }
}
