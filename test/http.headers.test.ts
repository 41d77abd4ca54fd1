import { createUser } from './helpers/factories';
import { useTestStack } from './helpers/stack';

/** Security headers on every answer, no-store on private ones, and the Allow header RFC 9110 requires on a 405. */
describe('response headers', () => {
  const { stack, api } = useTestStack({ worker: false });

  it('sends nosniff and the other helmet headers on success, error and unknown-route answers', async () => {
    for (const res of [await api.get('/movies'), await api.get('/reservations'), await api.get('/no-such-thing'), await api.get('/healthz')]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('sends HSTS in production only', async () => {
    expect((await api.get('/movies')).headers.get('strict-transport-security')).toBeNull();
    const prod = await stack.startExtraApi({ env: 'production' });
    try {
      const res = await fetch(`${prod.baseUrl}/api/v1/movies`);
      expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    } finally {
      await prod.close();
    }
  });

  it('marks authenticated, auth and reservation answers no-store, errors included, but not public catalog reads', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    expect((await api.get('/reservations', { token: user.token })).headers.get('cache-control')).toBe('no-store');
    expect((await api.get('/reservations')).headers.get('cache-control')).toBe('no-store');
    expect((await api.get('/movies', { token: user.token })).headers.get('cache-control')).toBe('no-store');
    expect((await api.post('/auth/login', { email: 'nobody@example.test', password: 'whatever1' })).headers.get('cache-control')).toBe('no-store');
    expect((await api.get('/movies')).headers.get('cache-control')).toBeNull();
  });

  it('answers 405 with Allow under /api/v1 and at the root, in the error shape', async () => {
    const res = await api.request('PUT', '/movies/1', { title: 'x' });
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ detail: expect.any(String), code: 'METHOD_NOT_ALLOWED' });
    expect((res.headers.get('allow') ?? '').split(/,\s*/).sort()).toEqual(['DELETE', 'GET', 'HEAD', 'PATCH']);

    const root = await api.post('/healthz', {});
    expect(root.status).toBe(405);
    expect(root.body).toEqual({ detail: expect.any(String), code: 'METHOD_NOT_ALLOWED' });
    expect((root.headers.get('allow') ?? '').split(/,\s*/).sort()).toEqual(['GET', 'HEAD']);
  });
});
