import http from 'node:http';

/**
 * JSON over HTTP for the benchmark. Only loopback URLs are accepted: the benchmark never sends
 * traffic anywhere else.
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

/**
 * One keep-alive agent for the whole run, as the global dispatcher was: a client of a loop reuses
 * its socket. node:http rather than fetch: the benchmark shares the machine's cores with the
 * system it measures, and undici's fetch cost about 2 ms of CPU per request here, more than the
 * API spends on a refusal; node:http costs a fraction of that.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: Infinity });

export function httpClient(baseUrl: string) {
  assertLoopback(baseUrl);
  const origin = new URL(baseUrl);
  function request<T = unknown>(method: string, path: string, opts: { token?: string; body?: unknown; timeoutMs?: number } = {}): Promise<HttpResult<T>> {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let payload: string | undefined;
    if (opts.body !== undefined) {
      payload = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    return new Promise<HttpResult<T>>((resolve, reject) => {
      const req = http.request({ host: origin.hostname, port: origin.port, method, path, headers, agent, timeout: opts.timeoutMs ?? REQUEST_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            if (text && (res.headers['content-type'] ?? '').includes('json')) body = JSON.parse(text);
          } catch (err) {
            reject(err);
            return;
          }
          resolve({ status: res.statusCode ?? 0, body: body as T });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${opts.timeoutMs ?? REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
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
