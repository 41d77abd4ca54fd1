import { randomUUID } from 'node:crypto';
import { createUser } from './helpers/factories';
import { useTestStack } from './helpers/stack';

/** User administration: admins list and search accounts, disable and enable them, change roles. */
describe('user administration (/users)', () => {
  const { stack, api } = useTestStack({ worker: false });
  const admin = () => createUser(stack.knex, stack.config.jwtSecret, 'admin');
  const password = 'correct horse battery';

  async function signUp(name: string) {
    const email = `${name.toLowerCase().replace(/\s+/g, '-')}-${randomUUID()}@example.test`;
    const res = await api.post('/auth/user/signup', { name, email, password });
    expect(res.status).toBe(201);
    return { id: res.body.user.id as number, email, token: res.body.access_token as string, refresh: res.body.refresh_token as string };
  }

  it('lists accounts for admins, searching name and e-mail, filtering by role and state', async () => {
    const boss = await admin();
    const tag = randomUUID().slice(0, 8);
    const carol = await signUp(`Carol ${tag}`);
    const staff = await createUser(stack.knex, stack.config.jwtSecret, 'staff', { name: `Dave ${tag}` });
    await stack.knex('users').insert({ name: `Gone ${tag}`, email: `gone-${tag}@example.test`, password_hash: 'x', is_deleted: true });

    const all = await api.get(`/users?q=${tag.toUpperCase()}`, { token: boss.token });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ page: 1, page_size: 20, total: 2 });
    expect(all.body.items.map((u: { id: number }) => u.id)).toEqual([carol.id, staff.id]);
    expect(all.body.items[0]).toEqual({ id: carol.id, name: `Carol ${tag}`, email: carol.email, role: 'user', phone: null, is_active: true, created_at: expect.any(String) });
    expect(JSON.stringify(all.body)).not.toContain('password');

    const byEmail = await api.get(`/users?q=${encodeURIComponent(carol.email.slice(0, 20))}`, { token: boss.token });
    expect(byEmail.body.items.map((u: { id: number }) => u.id)).toContain(carol.id);
    const staffOnly = await api.get(`/users?q=${tag}&role=staff`, { token: boss.token });
    expect(staffOnly.body.items.map((u: { id: number }) => u.id)).toEqual([staff.id]);
    const disabled = await api.get(`/users?q=${tag}&is_active=false`, { token: boss.token });
    expect(disabled.body).toMatchObject({ items: [], total: 0 });
    // `%` and `_` are matched literally.
    expect((await api.get('/users?q=%25', { token: boss.token })).body.total).toBe(0);
  });

  it('is for admins only, and refuses bad filters with a 422', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const staff = await createUser(stack.knex, stack.config.jwtSecret, 'staff');
    expect((await api.get('/users')).status).toBe(401);
    expect((await api.get('/users', { token: user.token })).body).toMatchObject({ code: 'FORBIDDEN' });
    expect((await api.get('/users', { token: staff.token })).status).toBe(403);
    expect((await api.patch('/users/1', { is_active: false }, { token: staff.token })).status).toBe(403);
    const boss = await admin();
    const bad = await api.get('/users?is_active=maybe&role=king', { token: boss.token });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['is_active', 'role']);
  });

  it('disables an account: its tokens stop working at once, and enabling it does not bring them back', async () => {
    const boss = await admin();
    const erin = await signUp('Erin');
    expect((await api.get('/auth/me', { token: erin.token })).status).toBe(200);

    const off = await api.patch(`/users/${erin.id}`, { is_active: false }, { token: boss.token });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ id: erin.id, is_active: false });
    expect((await api.get('/auth/me', { token: erin.token })).body).toMatchObject({ code: 'ACCOUNT_DISABLED' });
    expect((await api.post('/auth/refresh', { refresh_token: erin.refresh })).status).toBe(401);
    expect((await api.post('/auth/login', { email: erin.email, password })).body).toMatchObject({ code: 'ACCOUNT_DISABLED' });

    const on = await api.patch(`/users/${erin.id}`, { is_active: true }, { token: boss.token });
    expect(on.body).toMatchObject({ is_active: true });
    expect((await api.get('/auth/me', { token: erin.token })).status).toBe(401);
    expect((await api.post('/auth/refresh', { refresh_token: erin.refresh })).status).toBe(401);
    const again = await api.post('/auth/login', { email: erin.email, password });
    expect(again.status).toBe(200);
    expect((await api.get('/auth/me', { token: again.body.access_token })).status).toBe(200);
  });

  it('changes a role, which applies to the next request', async () => {
    const boss = await admin();
    const frank = await signUp('Frank');
    expect((await api.get('/reservations?user_id=1', { token: frank.token })).status).toBe(200);
    expect((await api.get('/showtimes/1/report', { token: frank.token })).status).toBe(403);
    const res = await api.patch(`/users/${frank.id}`, { role: 'staff' }, { token: boss.token });
    expect(res.body).toMatchObject({ role: 'staff' });
    expect((await api.get('/showtimes/2147483647/report', { token: frank.token })).status).toBe(404);
  });

  it('refuses to let an admin lock themselves out, unknown users, and empty or bad changes', async () => {
    const boss = await admin();
    expect((await api.patch(`/users/${boss.id}`, { is_active: false }, { token: boss.token })).body).toMatchObject({ code: 'CANNOT_CHANGE_OWN_ACCOUNT' });
    expect((await api.patch(`/users/${boss.id}`, { role: 'user' }, { token: boss.token })).status).toBe(409);
    expect((await api.get('/auth/me', { token: boss.token })).body).toMatchObject({ role: 'admin', is_active: true });
    expect((await api.patch('/users/2147483647', { is_active: false }, { token: boss.token })).body).toMatchObject({ code: 'USER_NOT_FOUND' });
    expect((await api.patch(`/users/${boss.id}`, {}, { token: boss.token })).status).toBe(422);
    const bad = await api.patch(`/users/${boss.id}`, { is_active: 'no', role: 'root' }, { token: boss.token });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['is_active', 'role']);
    expect((await api.patch('/users/abc', { is_active: true }, { token: boss.token })).status).toBe(422);
  });
});
