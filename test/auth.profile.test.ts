import { randomUUID } from 'node:crypto';
import { useTestStack } from './helpers/stack';

/** What users change about themselves: PATCH /auth/me (name, phone) and POST /auth/password. */
describe('own account', () => {
  const { api } = useTestStack({ worker: false });
  const password = 'correct horse battery';

  async function signUp() {
    const email = `me-${randomUUID()}@example.test`;
    const res = await api.post('/auth/user/signup', { name: 'Grace', email, password });
    expect(res.status).toBe(201);
    return { id: res.body.user.id as number, email, token: res.body.access_token as string, refresh: res.body.refresh_token as string };
  }

  it('changes name and phone, clears the phone, and nothing else', async () => {
    const me = await signUp();
    const res = await api.patch('/auth/me', { name: '  Grace Hopper ', phone: '+1 (555) 010-0199', role: 'admin', email: 'x@example.test' }, { token: me.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: me.id, name: 'Grace Hopper', phone: '+1 (555) 010-0199', role: 'user', email: me.email });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await api.patch('/auth/me', { phone: null }, { token: me.token })).body).toMatchObject({ name: 'Grace Hopper', phone: null });
    expect((await api.get('/auth/me', { token: me.token })).body).toMatchObject({ name: 'Grace Hopper', phone: null });
  });

  it('refuses empty and bad changes with a 422, and anonymous ones with a 401', async () => {
    const me = await signUp();
    expect((await api.patch('/auth/me', { name: 'x' })).status).toBe(401);
    expect((await api.patch('/auth/me', {}, { token: me.token })).status).toBe(422);
    const bad = await api.patch('/auth/me', { name: '', phone: 'call me maybe' }, { token: me.token });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['name', 'phone']);
  });

  it('changes the password and ends every other session, keeping the one that asked', async () => {
    const me = await signUp();
    const other = await api.post('/auth/login', { email: me.email, password });
    expect(other.status).toBe(200);

    const res = await api.post('/auth/password', { current_password: password, new_password: 'a new long passphrase' }, { token: me.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user: { id: me.id }, token_type: 'bearer', access_token: expect.any(String), refresh_token: expect.any(String) });
    expect(res.headers.get('cache-control')).toBe('no-store');

    // Every session from before the change is over, access tokens included, within their 15 minutes.
    for (const token of [me.token, other.body.access_token]) expect((await api.get('/auth/me', { token })).status).toBe(401);
    for (const refresh of [me.refresh, other.body.refresh_token]) expect((await api.post('/auth/refresh', { refresh_token: refresh })).status).toBe(401);
    // The new pair works, and so does its rotation.
    expect((await api.get('/auth/me', { token: res.body.access_token })).status).toBe(200);
    const rotated = await api.post('/auth/refresh', { refresh_token: res.body.refresh_token });
    expect(rotated.status).toBe(200);
    expect((await api.get('/auth/me', { token: rotated.body.access_token })).status).toBe(200);

    expect((await api.post('/auth/login', { email: me.email, password })).status).toBe(401);
    expect((await api.post('/auth/login', { email: me.email, password: 'a new long passphrase' })).status).toBe(200);
  });

  it('refuses a wrong current password (403) and a weak new one (422), changing nothing', async () => {
    const me = await signUp();
    const wrong = await api.post('/auth/password', { current_password: 'not my password', new_password: 'a new long passphrase' }, { token: me.token });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toMatchObject({ code: 'INVALID_CURRENT_PASSWORD' });
    const weak = await api.post('/auth/password', { current_password: password, new_password: 'short' }, { token: me.token });
    expect(weak.status).toBe(422);
    expect(weak.body.errors).toEqual([expect.objectContaining({ field: 'new_password' })]);
    expect((await api.get('/auth/me', { token: me.token })).status).toBe(200);
    expect((await api.post('/auth/login', { email: me.email, password })).status).toBe(200);
  });
});
