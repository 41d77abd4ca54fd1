import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { freePort } from '../scripts/lib/ports';
import { createShowtime } from './helpers/factories';
import { useTestStack } from './helpers/stack';

/**
 * CORS for a browser frontend on another origin: only ALLOWED_ORIGINS (or, by default outside
 * production, localhost) get Access-Control-Allow-Origin, never with credentials, and the headers
 * a frontend needs are exposed. The last test drives a real Chromium from a page on another port.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const itWithBrowser = hasChromium || process.env.CI === 'true' ? it : it.skip;

const PAGE = `<!doctype html><html><body><script>
window.book = async function (api, showtimeId, seatId) {
  const email = 'cors-' + Date.now() + '@example.test';
  const signup = await fetch(api + '/api/v1/auth/user/signup', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Browser', email: email, password: 'correct horse battery' }),
  });
  const session = await signup.json();
  const hold = await fetch(api + '/api/v1/reservations', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer ' + session.access_token, 'idempotency-key': 'k-' + email },
    body: JSON.stringify({ showtime_id: showtimeId, seat_ids: [seatId] }),
  });
  const body = await hold.json();
  return { signup: signup.status, status: hold.status, reservation: body, location: hold.headers.get('location'), requestId: hold.headers.get('x-request-id') };
};
</script></body></html>`;

describe('CORS', () => {
  let pagePort: number;
  let pageServer: Server | undefined;
  let browser: Browser | undefined;
  const pageOrigin = () => `http://127.0.0.1:${pagePort}`;

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (pageServer ? pageServer.close(resolve) : resolve(undefined)));
  });
  beforeAll(async () => {
    pagePort = await freePort();
  });
  const { stack, api } = useTestStack(() => ({ env: { ALLOWED_ORIGINS: `${pageOrigin()},https://shop.example.com` } }));

  it('answers a preflight from an allowed origin, without credentials', async () => {
    const res = await api.request('OPTIONS', '/reservations', undefined, {
      headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('vary')).toContain('Origin');
  });

  it('exposes Location, X-Request-Id, Retry-After, Idempotent-Replayed and ETag to an allowed origin', async () => {
    const res = await api.get('/movies', { headers: { origin: 'https://shop.example.com' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    const exposed = (res.headers.get('access-control-expose-headers') ?? '').split(',').map((h) => h.trim().toLowerCase());
    expect(exposed).toEqual(expect.arrayContaining(['location', 'x-request-id', 'retry-after', 'idempotent-replayed', 'etag']));
  });

  it('gives an origin that is not listed no CORS headers, on a preflight or an answer', async () => {
    const pre = await api.request('OPTIONS', '/reservations', undefined, { headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } });
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const res = await api.get('/movies', { headers: { origin: 'http://localhost:5173' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows localhost origins by default outside production, and nothing by default in production', async () => {
    const dev = await stack.startExtraApi({ cors: { origins: [], localhost: true } });
    const prod = await stack.startExtraApi({ env: 'production', cors: { origins: [], localhost: false } });
    try {
      const fromDev = await fetch(`${dev.baseUrl}/api/v1/movies`, { headers: { origin: 'http://localhost:5173' } });
      expect(fromDev.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      const fromProd = await fetch(`${prod.baseUrl}/api/v1/movies`, { headers: { origin: 'http://localhost:5173' } });
      expect(fromProd.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await dev.close();
      await prod.close();
    }
  });

  itWithBrowser('lets a page on another origin sign up and hold a seat in Chromium', async () => {
    pageServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(PAGE);
    });
    await new Promise<void>((resolve) => pageServer?.listen(pagePort, '127.0.0.1', resolve));
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }] });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    const page = await browser.newPage();
    await page.goto(`${pageOrigin()}/`);
    const result = await page.evaluate(
      ([apiBase, showtimeId, seatId]) => (globalThis as unknown as { book(a: string, s: number, seat: number): Promise<Record<string, unknown>> }).book(apiBase, showtimeId, seatId),
      [stack.baseUrl, show.id, show.seats[0].id] as [string, number, number],
    );
    expect(result).toMatchObject({ signup: 201, status: 201, reservation: { status: 'held', showtime_id: show.id } });
    expect(result.location).toBe(`/api/v1/reservations/${(result.reservation as { id: string }).id}`);
    expect(result.requestId).toEqual(expect.any(String));
  }, 90_000);
});
