import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { useTestStack } from '../helpers/stack';

/** Access tokens must carry exp and iat; a refresh-token family has an absolute lifetime. */

const PASSWORD = 'correct horse battery';
const now = () => Math.floor(Date.now() / 1000);

describe('token lifetimes', () => {
  const { stack, api } = useTestStack({ worker: false });
  let user: { id: number; access: string; refresh: string };

  beforeAll(async () => {
    const res = await api.post('/auth/user/signup', { name: 'Tess', email: `tokens-${randomUUID()}@example.test`, password: PASSWORD });
    expect(res.status).toBe(201);
    user = { id: res.body.user.id, access: res.body.access_token, refresh: res.body.refresh_token };
  });

  const claims = { sub: '0', role: 'user', type: 'access' };
  const sign = (payload: object, options: jwt.SignOptions = {}) =>
    jwt.sign({ ...claims, sub: String(user.id), ...payload }, stack.config.jwtSecret, { algorithm: 'HS256', ...options });

  it.each([
    ['without exp', () => sign({})],
    ['without iat', () => sign({ exp: now() + 900 }, { noTimestamp: true })],
    ['without exp or iat', () => sign({}, { noTimestamp: true })],
  ])('refuses an access token %s (401), though correctly signed', async (_label, make) => {
    const token = make();
    const decoded = jwt.decode(token) as Record<string, unknown>;
    expect(decoded.sub).toBe(String(user.id));
    const res = await api.get('/auth/me', { token });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(expect.objectContaining({ code: 'UNAUTHORIZED', detail: expect.any(String) }));
  });

  it('accepts a token with both, as the API signs them', async () => {
    expect((await api.get('/auth/me', { token: sign({ iat: now(), exp: now() + 900 }) })).status).toBe(200);
    expect((await api.get('/auth/me', { token: user.access })).status).toBe(200);
  });

  it('refuses to rotate a family past its lifetime (401 INVALID_REFRESH_TOKEN), though the token itself is fresh', async () => {
    const login = await api.post('/auth/login', { email: (await stack.knex('users').where({ id: user.id }).first()).email, password: PASSWORD });
    expect(login.status).toBe(200);
    // A family rotated for a month: each token young, the login behind it old.
    const rotated = await api.post('/auth/refresh', { refresh_token: login.body.refresh_token });
    expect(rotated.status).toBe(200);
    const family = await stack.knex('refresh_tokens').where({ user_id: user.id }).orderBy('id', 'desc').first();
    await stack.knex('refresh_tokens').where({ family_id: family.family_id }).update({ family_started_at: stack.knex.raw("now() - make_interval(days => ?) - interval '1 minute'", [stack.config.refreshFamilyMaxAgeDays]) });

    const res = await api.post('/auth/refresh', { refresh_token: rotated.body.refresh_token });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: expect.any(String), code: 'INVALID_REFRESH_TOKEN' });
    // The family is over: no token of it is left to use.
    const left = await stack.knex('refresh_tokens').where({ family_id: family.family_id }).whereNull('revoked_at');
    expect(left).toEqual([]);
  });

  it('keeps the family start through rotations, so rotating does not renew the lifetime', async () => {
    const first = await api.post('/auth/login', { email: (await stack.knex('users').where({ id: user.id }).first()).email, password: PASSWORD });
    const second = await api.post('/auth/refresh', { refresh_token: first.body.refresh_token });
    expect(second.status).toBe(200);
    const rows = await stack.knex('refresh_tokens').where({ user_id: user.id }).orderBy('id', 'desc').limit(2);
    expect(rows[0].family_id).toBe(rows[1].family_id);
    expect(new Date(rows[0].family_started_at).getTime()).toBe(new Date(rows[1].family_started_at).getTime());
  });
});
