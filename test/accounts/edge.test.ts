import { apiClient, type ApiClient } from '../helpers/http';
import { useTestStack, type TestStack } from '../helpers/stack';
import { randomUUID } from 'node:crypto';

/**
 * The edge of the API: which client address it believes, whether admin signup is open, and who
 * may read /metrics. Each extra API shares the stack's database and differs in one setting.
 */

const uniqueEmail = () => `edge-${randomUUID()}@example.test`;
const METRICS_TOKEN = 'a-metrics-token-of-thirty-two-characters';

describe('the edge', () => {
  const closers: (() => Promise<void>)[] = [];
  // Registered before the stack's hooks: the extra APIs close first.
  afterAll(async () => {
    for (const close of closers) await close();
  });
  const { stack } = useTestStack({ worker: false });

  async function extraApi(overrides: Parameters<TestStack['startExtraApi']>[0]): Promise<ApiClient> {
    const extra = await stack.startExtraApi(overrides);
    closers.push(extra.close);
    return apiClient(extra.baseUrl);
  }

  /** Two logins per address per window; a window length of its own keys these counters apart. */
  const limitsWithWindow = (windowSeconds: number) => ({
    ...stack.config.rateLimits,
    loginPerAddress: { max: 2, windowSeconds },
  });
  const loginFrom = (api: ApiClient, forwardedFor: string) =>
    api.post('/auth/login', { email: uniqueEmail(), password: 'not the password' }, { headers: { 'x-forwarded-for': forwardedFor } });

  describe('X-Forwarded-For', () => {
    // In production, where the API used to believe the header whatever sent it.
    it('is ignored without TRUST_PROXY_HOPS: a forged header does not dodge the per-address limit', async () => {
      const api = await extraApi({ env: 'production', trustProxyHops: 0, rateLimits: limitsWithWindow(6101) });
      expect((await loginFrom(api, '203.0.113.1')).status).toBe(401);
      expect((await loginFrom(api, '203.0.113.2')).status).toBe(401);
      const limited = await loginFrom(api, '203.0.113.3');
      expect(limited.status).toBe(429);
      expect(limited.body).toEqual(expect.objectContaining({ code: 'RATE_LIMITED', detail: expect.any(String) }));
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('with TRUST_PROXY_HOPS=1, only the entry our proxy appended counts: forging the rest does not help', async () => {
      const api = await extraApi({ env: 'production', trustProxyHops: 1, rateLimits: limitsWithWindow(6102) });
      // The client forges the first entries; the proxy appends the address it saw (198.51.100.7).
      expect((await loginFrom(api, '203.0.113.1, 198.51.100.7')).status).toBe(401);
      expect((await loginFrom(api, '203.0.113.2, 198.51.100.7')).status).toBe(401);
      expect((await loginFrom(api, '10.0.0.1, 203.0.113.3, 198.51.100.7')).status).toBe(429);
      // Another real client behind the same proxy has a budget of its own.
      expect((await loginFrom(api, '203.0.113.1, 198.51.100.8')).status).toBe(401);
    });
  });

  describe('TRUST_PROXY_ADDRESSES', () => {
    it('believes the header only on connections from a listed proxy', async () => {
      // The test connects from 127.0.0.1: not the listed proxy, so the header is ignored.
      const direct = await extraApi({ env: 'production', trustProxyHops: 1, trustProxyAddresses: ['10.9.9.9'], rateLimits: limitsWithWindow(6103) });
      expect((await loginFrom(direct, '198.51.100.1')).status).toBe(401);
      expect((await loginFrom(direct, '198.51.100.2')).status).toBe(401);
      expect((await loginFrom(direct, '198.51.100.3')).status).toBe(429);
      // Listed (as ::ffff:127.0.0.1 or 127.0.0.1, however Node reports it): each client counts apart.
      const viaProxy = await extraApi({ env: 'production', trustProxyHops: 1, trustProxyAddresses: ['127.0.0.1'], rateLimits: limitsWithWindow(6104) });
      for (const client of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) expect((await loginFrom(viaProxy, client)).status).toBe(401);
    });
  });

  describe('ADMIN_SIGNUP=off', () => {
    const body = () => ({ name: 'Eve', email: uniqueEmail(), password: 'long enough password', admin_secret: stack.config.adminRegistrationSecret });

    it('refuses admin signup with 403 ADMIN_SIGNUP_DISABLED, even with the right secret, and creates nothing', async () => {
      const api = await extraApi({ adminSignup: false });
      const attempt = body();
      const res = await api.post('/auth/admin/signup', attempt);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ detail: expect.stringContaining('ADMIN_SIGNUP=off'), code: 'ADMIN_SIGNUP_DISABLED' });
      expect(await stack.knex('users').where({ email: attempt.email }).first()).toBeUndefined();
      // User signup stays open.
      expect((await api.post('/auth/user/signup', { name: 'Eve', email: uniqueEmail(), password: 'long enough password' })).status).toBe(201);
    });

    it('leaves admin signup open by default', async () => {
      expect((await apiClient(stack.baseUrl).post('/auth/admin/signup', body())).status).toBe(201);
    });
  });

  describe('GET /metrics', () => {
    it('is not served in production without METRICS_TOKEN', async () => {
      const api = await extraApi({ env: 'production', metricsToken: undefined });
      const res = await api.get('/metrics');
      expect(res.status).toBe(404);
      expect(res.body).toEqual(expect.objectContaining({ code: 'NOT_FOUND' }));
      expect(JSON.stringify(res.body)).not.toContain('http_requests_total');
    });

    it('with METRICS_TOKEN, answers 401 without it or with a wrong one, and the metrics with it', async () => {
      const api = await extraApi({ env: 'production', metricsToken: METRICS_TOKEN });
      const anonymous = await api.get('/metrics');
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual(expect.objectContaining({ code: 'UNAUTHORIZED' }));
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await api.get('/metrics', { token: `${METRICS_TOKEN}x` })).status).toBe(401);
      const scraped = await api.get('/metrics', { token: METRICS_TOKEN });
      expect(scraped.status).toBe(200);
      expect(String(scraped.body)).toContain('http_requests_total');
    });

    it('stays public outside production without a token (development, tests)', async () => {
      expect((await apiClient(stack.baseUrl).get('/metrics')).status).toBe(200);
    });
  });
});
