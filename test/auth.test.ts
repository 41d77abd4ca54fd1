import { createHash, createHmac, randomUUID } from 'node:crypto';
import bcrypt from 'bcrypt';
import jwt from 'jsonwebtoken';
import { clientAddressSubject } from '../src/accounts/rateLimit';
import { createUser } from './helpers/factories';
import { apiClient, type ApiClient } from './helpers/http';
import { useTestStack, startTestStack, type TestStack } from './helpers/stack';

const PASSWORD = 'correct horse battery';
const uniqueEmail = (tag = 'auth') => `${tag}-${randomUUID()}@example.test`;
const signupBody = (overrides: Record<string, unknown> = {}) => ({ name: 'Ada Lovelace', email: uniqueEmail(), password: PASSWORD, ...overrides });
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** Limits high enough, and per-address limits off, so these tests never meet them (and never use up another file's budget). */
const RELAXED_LIMITS = {
  RATE_LIMIT_LOGIN_PER_ADDRESS: '0',
  RATE_LIMIT_SIGNUP_PER_ADDRESS: '0',
  RATE_LIMIT_LOGIN_PER_EMAIL: '1000',
  RATE_LIMIT_SIGNUP_PER_EMAIL: '1000',
};

describe('auth', () => {
  // Two API processes sharing one database, for the rate limits. Per-address windows are
  // unusual values so their counters are keyed apart from any other test file's.
  let emailLimited: [ApiClient, ApiClient];
  let addressLimited: [ApiClient, ApiClient];
  const extraStacks: TestStack[] = [];

  // Registered before the stack's own hooks, so it runs before the stack closes.
  afterAll(async () => {
    // Objection's models are bound to the last pool opened: no pool closes while tests still run.
    for (const s of extraStacks) await s.close();
  });
  const { stack, api } = useTestStack({ worker: false, env: RELAXED_LIMITS });
  beforeAll(async () => {
    const emailEnv = {
      ...RELAXED_LIMITS,
      RATE_LIMIT_LOGIN_PER_EMAIL: '3',
      RATE_LIMIT_LOGIN_PER_EMAIL_WINDOW_SECONDS: '600',
      RATE_LIMIT_SIGNUP_PER_EMAIL: '2',
    };
    const addressEnv = {
      ...RELAXED_LIMITS,
      RATE_LIMIT_LOGIN_PER_ADDRESS: '4',
      RATE_LIMIT_LOGIN_PER_ADDRESS_WINDOW_SECONDS: '7777',
      RATE_LIMIT_SIGNUP_PER_ADDRESS: '3',
      RATE_LIMIT_SIGNUP_PER_ADDRESS_WINDOW_SECONDS: '7778',
    };
    extraStacks.push(
      ...(await Promise.all([emailEnv, emailEnv, addressEnv, addressEnv].map((env) => startTestStack({ worker: false, env })))),
    );
    const clients = extraStacks.map((s) => apiClient(s.baseUrl));
    emailLimited = [clients[0], clients[1]];
    addressLimited = [clients[2], clients[3]];
  });

  async function signup(overrides: Record<string, unknown> = {}) {
    const body = signupBody(overrides);
    const res = await api.post('/auth/user/signup', body);
    expect(res.status).toBe(201);
    return { ...body, id: res.body.user.id as number, access: res.body.access_token as string, refresh: res.body.refresh_token as string };
  }

  const userRow = (id: number) => stack.knex('users').where({ id }).first();
  const tokenRows = (userId: number) => stack.knex('refresh_tokens').where({ user_id: userId }).orderBy('id');
  const usersWithEmail = async (email: string) => Number((await stack.knex('users').whereRaw('lower(email) = lower(?)', [email]).count({ n: '*' }))[0].n);

  function expectError(res: { status: number; body: unknown }, status: number, code: string) {
    expect(res.status).toBe(status);
    expect(res.body).toEqual(expect.objectContaining({ detail: expect.any(String), code }));
    if (status !== 422) expect(res.body).not.toHaveProperty('errors');
    expect(JSON.stringify(res.body)).not.toMatch(/stack|password_hash|\$2[aby]\$/);
  }

  function expectSession(body: Record<string, unknown>) {
    expect(Object.keys(body).sort()).toEqual(['access_token', 'refresh_token', 'token_type', 'user']);
    expect(body.token_type).toBe('bearer');
    expect(typeof body.access_token).toBe('string');
    expect(typeof body.refresh_token).toBe('string');
    expect(Object.keys(body.user as object).sort()).toEqual(['created_at', 'email', 'id', 'is_active', 'name', 'phone', 'role']);
  }

  describe('POST /auth/user/signup', () => {
    it('creates a user and answers 201 with the user and a token pair', async () => {
      const email = uniqueEmail('Signup');
      const res = await api.post('/auth/user/signup', { name: '  Grace Hopper ', email: `  ${email.toUpperCase()} `, password: PASSWORD });
      expect(res.status).toBe(201);
      expectSession(res.body);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const { user } = res.body;
      expect(user).toEqual({
        id: expect.any(Number),
        name: 'Grace Hopper',
        email: email.toLowerCase(),
        role: 'user',
        phone: null,
        is_active: true,
        created_at: expect.any(String),
      });
      expect(new Date(user.created_at).toISOString()).toBe(user.created_at);

      const claims = jwt.verify(res.body.access_token, stack.config.jwtSecret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
      expect(claims).toEqual(expect.objectContaining({ sub: String(user.id), role: 'user', type: 'access' }));
      expect(claims.exp! - claims.iat!).toBe(15 * 60);
      expect(jwt.decode(res.body.access_token, { complete: true })!.header.alg).toBe('HS256');

      const me = await api.get('/auth/me', { token: res.body.access_token });
      expect(me.status).toBe(200);
      expect(me.body).toEqual(user);
    });

    it('stores a bcrypt hash and only the SHA-256 of the refresh token', async () => {
      const u = await signup();
      const row = await userRow(u.id);
      expect(row.password_hash).toMatch(/^\$2b\$04\$/);
      expect(await bcrypt.compare(PASSWORD, row.password_hash)).toBe(true);
      const tokens = await tokenRows(u.id);
      expect(tokens).toHaveLength(1);
      expect(tokens[0].token_hash).toBe(sha256(u.refresh));
      expect(JSON.stringify(tokens)).not.toContain(u.refresh);
      const ttl = new Date(tokens[0].expires_at).getTime() - Date.now();
      expect(Math.abs(ttl - 7 * 24 * 3600_000)).toBeLessThan(60_000);
      expect(tokens[0].used_at).toBeNull();
      expect(tokens[0].revoked_at).toBeNull();
    });

    it('ignores a role and any other unknown field in the body', async () => {
      const res = await api.post('/auth/user/signup', signupBody({ role: 'admin', is_active: false, id: 1, phone: '+1 555 0100' }));
      expect(res.status).toBe(201);
      expect(res.body.user).toEqual(expect.objectContaining({ role: 'user', is_active: true, phone: null }));
      expect((await userRow(res.body.user.id)).role).toBe('user');
    });

    it('accepts passwords of exactly 8 and 72 characters', async () => {
      expect((await api.post('/auth/user/signup', signupBody({ password: 'a'.repeat(8) }))).status).toBe(201);
      expect((await api.post('/auth/user/signup', signupBody({ password: 'b'.repeat(72) }))).status).toBe(201);
    });

    it('answers 409 EMAIL_TAKEN for an email in use, whatever its case, and changes nothing', async () => {
      const u = await signup();
      const before = await userRow(u.id);
      const res = await api.post('/auth/user/signup', signupBody({ email: ` ${u.email.toUpperCase()}`, name: 'Other', password: 'another password' }));
      expectError(res, 409, 'EMAIL_TAKEN');
      expect(await userRow(u.id)).toEqual(before);
      expect(await usersWithEmail(u.email)).toBe(1);
      expect(await tokenRows(u.id)).toHaveLength(1);
    });

    it('answers 409 to one of two concurrent signups with the same email', async () => {
      const body = signupBody();
      const results = await Promise.all([api.post('/auth/user/signup', body), api.post('/auth/user/signup', { ...body, email: body.email.toUpperCase() })]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(await usersWithEmail(body.email)).toBe(1);
    });

    it.each([
      ['no body at all', undefined, ['body']],
      ['an empty object', { name: undefined, email: undefined, password: undefined }, ['name', 'email', 'password']],
      ['an array', [], ['body']],
      ['a 7-character password', { password: 'a'.repeat(7) }, ['password']],
      ['a 73-character password', { password: 'a'.repeat(73) }, ['password']],
      ['a password over 72 bytes', { password: 'é'.repeat(40) }, ['password']],
      ['a password that is not a string', { password: 12345678 }, ['password']],
      ['an invalid email', { email: 'not-an-email' }, ['email']],
      ['an email that is not a string', { email: 42 }, ['email']],
      ['an empty name', { name: '' }, ['name']],
      ['a blank name', { name: '   ' }, ['name']],
      ['a 101-character name', { name: 'n'.repeat(101) }, ['name']],
      ['a null name', { name: null }, ['name']],
    ])('answers 422 for %s and creates nothing', async (_label, patch, fields) => {
      const email = uniqueEmail();
      const body = Array.isArray(patch) || patch === undefined ? patch : { ...signupBody({ email }), ...patch };
      const res = await api.post('/auth/user/signup', body);
      expectError(res, 422, 'VALIDATION_ERROR');
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([...fields].sort());
      for (const e of res.body.errors) expect(e).toEqual({ location: 'body', field: expect.any(String), message: expect.any(String), code: expect.any(String) });
      expect(await usersWithEmail(email)).toBe(0);
    });

    it('accepts a 100-character name', async () => {
      expect((await api.post('/auth/user/signup', signupBody({ name: 'n'.repeat(100) }))).status).toBe(201);
    });
  });

  describe('POST /auth/admin/signup', () => {
    const adminBody = (overrides: Record<string, unknown> = {}) => ({ ...signupBody(), admin_secret: stack.config.adminRegistrationSecret, ...overrides });

    it('creates an admin with the right secret', async () => {
      const res = await api.post('/auth/admin/signup', adminBody());
      expect(res.status).toBe(201);
      expectSession(res.body);
      expect(res.body.user.role).toBe('admin');
      expect((jwt.decode(res.body.access_token) as jwt.JwtPayload).role).toBe('admin');
      expect((await userRow(res.body.user.id)).role).toBe('admin');
    });

    it.each<[string, (real: string) => string]>([
      ['a wrong secret', () => 'wrong-secret-value'],
      ['the secret with one character more', (real) => `${real}x`],
      ['a prefix of the secret', (real) => real.slice(0, -1)],
      ['the secret in another case', (real) => real.toUpperCase()],
    ])('answers 403 INVALID_ADMIN_SECRET for %s and creates nothing', async (_label, guess) => {
      const body = adminBody({ admin_secret: guess(stack.config.adminRegistrationSecret) });
      expectError(await api.post('/auth/admin/signup', body), 403, 'INVALID_ADMIN_SECRET');
      expect(await usersWithEmail(body.email)).toBe(0);
    });

    it('answers 422 without a secret', async () => {
      const body = adminBody({ admin_secret: undefined });
      const res = await api.post('/auth/admin/signup', body);
      expectError(res, 422, 'VALIDATION_ERROR');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['admin_secret']);
      expect(await usersWithEmail(body.email)).toBe(0);
    });

    it('answers 422 for the user fields too', async () => {
      const res = await api.post('/auth/admin/signup', adminBody({ password: 'short', email: 'nope' }));
      expectError(res, 422, 'VALIDATION_ERROR');
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'password']);
    });

    it('answers 409 EMAIL_TAKEN for an email in use', async () => {
      const u = await signup();
      expectError(await api.post('/auth/admin/signup', adminBody({ email: u.email })), 409, 'EMAIL_TAKEN');
      expect((await userRow(u.id)).role).toBe('user');
    });
  });

  describe('POST /auth/login', () => {
    it('answers 200 with the user and a new token pair; the email is case-insensitive', async () => {
      const u = await signup();
      const res = await api.post('/auth/login', { email: `  ${u.email.toUpperCase()}  `, password: PASSWORD });
      expect(res.status).toBe(200);
      expectSession(res.body);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body.user).toEqual(expect.objectContaining({ id: u.id, email: u.email, role: 'user' }));
      expect(res.body.refresh_token).not.toBe(u.refresh);
      // A login starts a session of its own: a new refresh token family.
      const families = new Set((await tokenRows(u.id)).map((t) => t.family_id));
      expect(families.size).toBe(2);
      expect((await api.get('/auth/me', { token: res.body.access_token })).status).toBe(200);
    });

    it('answers the same 401 INVALID_CREDENTIALS for a wrong password and an unknown email', async () => {
      const u = await signup();
      const wrong = await api.post('/auth/login', { email: u.email, password: 'wrong password' });
      const unknown = await api.post('/auth/login', { email: uniqueEmail(), password: PASSWORD });
      expectError(wrong, 401, 'INVALID_CREDENTIALS');
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual(wrong.body);
      expect(await tokenRows(u.id)).toHaveLength(1);
    });

    it('spends a bcrypt comparison on unknown and deleted accounts too, so timing does not tell them apart', async () => {
      const deleted = await signup();
      await stack.knex('users').where({ id: deleted.id }).update({ is_deleted: true });
      const compare = jest.spyOn(bcrypt, 'compare');
      try {
        for (const email of [uniqueEmail(), deleted.email]) {
          compare.mockClear();
          expect((await api.post('/auth/login', { email, password: PASSWORD })).status).toBe(401);
          expect(compare).toHaveBeenCalledTimes(1);
          const [, hash] = compare.mock.calls[0] as unknown as [string, string];
          expect(bcrypt.getRounds(hash)).toBe(stack.config.bcryptRounds);
        }
      } finally {
        compare.mockRestore();
      }
    });

    it('refuses a password that only shares its first 72 bytes with the real one', async () => {
      const password = 'p'.repeat(72);
      const u = await signup({ password });
      expect((await api.post('/auth/login', { email: u.email, password })).status).toBe(200);
      expectError(await api.post('/auth/login', { email: u.email, password: `${password}extra` }), 401, 'INVALID_CREDENTIALS');
    });

    it('matches passwords after Unicode normalisation (NFKC)', async () => {
      const u = await signup({ password: 'caf\u00e9 \ufb01ne password' });
      const res = await api.post('/auth/login', { email: u.email, password: 'cafe\u0301 fine password' });
      expect(res.status).toBe(200);
    });

    it('rehashes a password stored with another bcrypt cost', async () => {
      const email = uniqueEmail();
      const [{ id }] = await stack.knex('users').insert({ name: 'Old', email, password_hash: await bcrypt.hash(PASSWORD, 5) }).returning(['id']);
      expect((await api.post('/auth/login', { email, password: PASSWORD })).status).toBe(200);
      const row = await userRow(id);
      expect(bcrypt.getRounds(row.password_hash)).toBe(4);
      expect(await bcrypt.compare(PASSWORD, row.password_hash)).toBe(true);
    });

    it('answers 403 ACCOUNT_DISABLED for a disabled account, but only with the right password', async () => {
      const u = await signup();
      await stack.knex('users').where({ id: u.id }).update({ is_active: false });
      expectError(await api.post('/auth/login', { email: u.email, password: PASSWORD }), 403, 'ACCOUNT_DISABLED');
      expectError(await api.post('/auth/login', { email: u.email, password: 'wrong password' }), 401, 'INVALID_CREDENTIALS');
      expect(await tokenRows(u.id)).toHaveLength(1);
    });

    it('answers 401 for a deleted account', async () => {
      const u = await signup();
      await stack.knex('users').where({ id: u.id }).update({ is_deleted: true });
      expectError(await api.post('/auth/login', { email: u.email, password: PASSWORD }), 401, 'INVALID_CREDENTIALS');
    });

    it.each([
      ['no password', { email: 'a@example.test' }, ['password']],
      ['an empty password', { email: 'a@example.test', password: '' }, ['password']],
      ['no email', { password: PASSWORD }, ['email']],
      ['an invalid email', { email: 'a@', password: PASSWORD }, ['email']],
    ])('answers 422 for %s', async (_label, body, fields) => {
      const res = await api.post('/auth/login', body);
      expectError(res, 422, 'VALIDATION_ERROR');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(fields);
    });
  });

  describe('POST /auth/refresh', () => {
    it('rotates: a new pair, the old token marked used, the new one in the same family', async () => {
      const u = await signup();
      const res = await api.post('/auth/refresh', { refresh_token: u.refresh });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['access_token', 'refresh_token', 'token_type']);
      expect(res.body.token_type).toBe('bearer');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body.refresh_token).not.toBe(u.refresh);
      const [old, fresh] = await tokenRows(u.id);
      expect(old.token_hash).toBe(sha256(u.refresh));
      expect(old.used_at).not.toBeNull();
      expect(fresh.token_hash).toBe(sha256(res.body.refresh_token));
      expect(fresh.family_id).toBe(old.family_id);
      expect(fresh.used_at).toBeNull();
      const me = await api.get('/auth/me', { token: res.body.access_token });
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(u.id);
    });

    it('answers 401 to a reused token and revokes its whole family, not other sessions', async () => {
      const u = await signup();
      const other = (await api.post('/auth/login', { email: u.email, password: PASSWORD })).body.refresh_token as string;
      const first = await api.post('/auth/refresh', { refresh_token: u.refresh });
      const second = await api.post('/auth/refresh', { refresh_token: first.body.refresh_token });
      expect([first.status, second.status]).toEqual([200, 200]);

      expectError(await api.post('/auth/refresh', { refresh_token: u.refresh }), 401, 'INVALID_REFRESH_TOKEN');
      // The attacker or the victim, whoever holds the latest token, is out too.
      expectError(await api.post('/auth/refresh', { refresh_token: second.body.refresh_token }), 401, 'INVALID_REFRESH_TOKEN');
      const family = (await tokenRows(u.id)).filter((t) => t.token_hash !== sha256(other));
      expect(family).toHaveLength(3);
      for (const t of family) expect(t.revoked_at).not.toBeNull();

      expect((await api.post('/auth/refresh', { refresh_token: other })).status).toBe(200);
    });

    it('lets only one of two concurrent uses of a token through, and treats the other as reuse', async () => {
      const u = await signup();
      const results = await Promise.all([api.post('/auth/refresh', { refresh_token: u.refresh }), api.post('/auth/refresh', { refresh_token: u.refresh })]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
      const winner = results.find((r) => r.status === 200)!;
      expect((await api.post('/auth/refresh', { refresh_token: winner.body.refresh_token })).status).toBe(401);
    });

    it('answers 401 to an expired token', async () => {
      const u = await signup();
      await stack.knex('refresh_tokens').where({ token_hash: sha256(u.refresh) }).update({ expires_at: stack.knex.raw("now() - interval '1 second'") });
      expectError(await api.post('/auth/refresh', { refresh_token: u.refresh }), 401, 'INVALID_REFRESH_TOKEN');
      expect((await tokenRows(u.id))[0].used_at).toBeNull();
    });

    it('answers 401 to an access token, an unknown token and a tampered token', async () => {
      const u = await signup();
      for (const token of [u.access, `rt_${randomUUID()}`, `${u.refresh}x`, u.refresh.slice(0, -1), 'x']) {
        expectError(await api.post('/auth/refresh', { refresh_token: token }), 401, 'INVALID_REFRESH_TOKEN');
      }
      const [row] = await tokenRows(u.id);
      expect(row.used_at).toBeNull();
      expect(row.revoked_at).toBeNull();
    });

    it('answers 401 for a disabled or deleted account and ends that session', async () => {
      for (const change of [{ is_active: false }, { is_deleted: true }]) {
        const u = await signup();
        await stack.knex('users').where({ id: u.id }).update(change);
        expectError(await api.post('/auth/refresh', { refresh_token: u.refresh }), 401, 'INVALID_REFRESH_TOKEN');
        await stack.knex('users').where({ id: u.id }).update({ is_active: true, is_deleted: false });
        // Re-enabling the account does not bring the old session back.
        expectError(await api.post('/auth/refresh', { refresh_token: u.refresh }), 401, 'INVALID_REFRESH_TOKEN');
      }
    });

    it('answers 422 without a refresh_token', async () => {
      expectError(await api.post('/auth/refresh', {}), 422, 'VALIDATION_ERROR');
      expectError(await api.post('/auth/refresh', { refresh_token: 42 }), 422, 'VALIDATION_ERROR');
    });
  });

  describe('POST /auth/logout', () => {
    it('answers 204 and revokes the session, including tokens it was rotated from', async () => {
      const u = await signup();
      const other = (await api.post('/auth/login', { email: u.email, password: PASSWORD })).body.refresh_token as string;
      const rotated = (await api.post('/auth/refresh', { refresh_token: u.refresh })).body.refresh_token as string;
      const res = await api.post('/auth/logout', { refresh_token: rotated });
      expect(res.status).toBe(204);
      expect(res.body).toBeUndefined();
      expectError(await api.post('/auth/refresh', { refresh_token: rotated }), 401, 'INVALID_REFRESH_TOKEN');
      const rows = await tokenRows(u.id);
      expect(rows.filter((t) => t.revoked_at !== null)).toHaveLength(2);
      // Logging out one device leaves the others signed in.
      expect((await api.post('/auth/refresh', { refresh_token: other })).status).toBe(200);
    });

    it('answers 204 again for a token already logged out, and for an unknown one', async () => {
      const u = await signup();
      expect((await api.post('/auth/logout', { refresh_token: u.refresh })).status).toBe(204);
      expect((await api.post('/auth/logout', { refresh_token: u.refresh })).status).toBe(204);
      expect((await api.post('/auth/logout', { refresh_token: `rt_${randomUUID()}` })).status).toBe(204);
    });

    it('answers 422 without a refresh_token', async () => {
      expectError(await api.post('/auth/logout', {}), 422, 'VALIDATION_ERROR');
    });
  });

  describe('GET /auth/me and access tokens', () => {
    let user: Awaited<ReturnType<typeof signup>>;
    beforeAll(async () => {
      user = await signup();
    });

    const claims = (extra: object = {}) => ({ sub: String(user.id), role: 'user', type: 'access', iat: now(), exp: now() + 900, ...extra });
    const sign = (extra: object = {}, secret = stack.config.jwtSecret, algorithm: jwt.Algorithm = 'HS256') => jwt.sign(claims(extra), secret, { algorithm });

    it('answers 200 with the user', async () => {
      const res = await api.get('/auth/me', { token: user.access });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(expect.objectContaining({ id: user.id, email: user.email, role: 'user', is_active: true }));
      expect(res.body).not.toHaveProperty('password_hash');
    });

    it('answers 401 without a token, with a Bearer challenge', async () => {
      const res = await api.get('/auth/me');
      expectError(res, 401, 'UNAUTHORIZED');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('says when the token has expired', async () => {
      const expired = sign({ iat: now() - 3600, exp: now() - 60 });
      const res = await api.get('/auth/me', { token: expired });
      expectError(res, 401, 'UNAUTHORIZED');
      expect(res.body.detail).toMatch(/expired/);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    });

    const tampered: [string, () => string][] = [
      ['signed with another secret', () => sign({}, 'another-secret-of-enough-length')],
      ['with alg none', () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims())}.`],
      ['signed with HS512 and the right secret', () => sign({}, undefined, 'HS512')],
      ['claiming RS256 but HMAC-signed with the secret (key confusion)', () => {
        const unsigned = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(claims())}`;
        return `${unsigned}.${createHmac('sha256', stack.config.jwtSecret).update(unsigned).digest('base64url')}`;
      }],
      ['with its payload changed after signing', () => {
        const [header, , signature] = user.access.split('.');
        return `${header}.${b64url(claims({ role: 'admin' }))}.${signature}`;
      }],
      ['of another type', () => sign({ type: 'refresh' })],
      ['without a type', () => sign({ type: undefined })],
      ['for a user that does not exist', () => sign({ sub: '2147483647' })],
      ['with a subject that is not an id', () => sign({ sub: 'admin' })],
      ['that is a refresh token', () => user.refresh],
      ['that is not a JWT at all', () => 'garbage'],
    ];
    it.each(tampered)('answers 401 to a token %s', async (_label, make) => {
      const res = await api.get('/auth/me', { token: make() });
      expectError(res, 401, 'UNAUTHORIZED');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    });

    it.each([['Basic dXNlcjpwYXNz'], ['Bearer'], ['Bearer a b'], ['Token abc']])('answers 401 to the header "%s"', async (header) => {
      expectError(await api.get('/auth/me', { headers: { authorization: header } }), 401, 'UNAUTHORIZED');
    });

    it('refuses a deactivated user’s unexpired token at once', async () => {
      const u = await signup();
      expect((await api.get('/auth/me', { token: u.access })).status).toBe(200);
      await stack.knex('users').where({ id: u.id }).update({ is_active: false });
      expectError(await api.get('/auth/me', { token: u.access }), 403, 'ACCOUNT_DISABLED');
    });

    it('refuses a deleted user’s unexpired token at once', async () => {
      const u = await signup();
      await stack.knex('users').where({ id: u.id }).update({ is_deleted: true });
      expectError(await api.get('/auth/me', { token: u.access }), 401, 'UNAUTHORIZED');
    });
  });

  describe('POST /auth/staff', () => {
    it('lets an admin create a staff account that can then log in', async () => {
      const admin = await createUser(stack.knex, stack.config.jwtSecret, 'admin');
      const body = signupBody({ role: 'admin' });
      const res = await api.post('/auth/staff', body, { token: admin.token });
      expect(res.status).toBe(201);
      expect(res.body).toEqual(expect.objectContaining({ email: body.email, role: 'staff', is_active: true }));
      const login = await api.post('/auth/login', { email: body.email, password: PASSWORD });
      expect(login.status).toBe(200);
      expect(login.body.user.role).toBe('staff');
      expectError(await api.post('/auth/staff', body, { token: admin.token }), 409, 'EMAIL_TAKEN');
    });

    it('takes a role change away at once: a demoted admin gets 403', async () => {
      const admin = await createUser(stack.knex, stack.config.jwtSecret, 'admin');
      await stack.knex('users').where({ id: admin.id }).update({ role: 'user' });
      const body = signupBody();
      expectError(await api.post('/auth/staff', body, { token: admin.token }), 403, 'FORBIDDEN');
      expect(await usersWithEmail(body.email)).toBe(0);
    });
  });

  describe('request bodies', () => {
    it('answers 413 to an oversized body and creates nothing', async () => {
      const body = signupBody({ name: 'n'.repeat(70 * 1024) });
      expectError(await api.post('/auth/user/signup', body), 413, 'PAYLOAD_TOO_LARGE');
      expect(await usersWithEmail(body.email)).toBe(0);
    });

    it('answers 400 to malformed JSON', async () => {
      expectError(await api.post('/auth/login', undefined, { raw: '{"email": "a@example.test", "password": ' }), 400, 'MALFORMED_JSON');
    });

    it('answers 415 to a body that is not JSON', async () => {
      const body = signupBody();
      const res = await api.post('/auth/user/signup', undefined, { raw: new URLSearchParams(body).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(await usersWithEmail(body.email)).toBe(0);
    });

    it('changes nothing in the database for rejected requests', async () => {
      const u = await signup();
      const admin = signupBody();
      const before = { user: await userRow(u.id), tokens: await tokenRows(u.id) };
      const rejected = await Promise.all([
        api.post('/auth/user/signup', { ...signupBody(), email: u.email }),
        api.post('/auth/user/signup', { ...signupBody(), password: 'short' }),
        api.post('/auth/admin/signup', { ...admin, admin_secret: 'wrong-secret' }),
        api.post('/auth/login', { email: u.email, password: 'wrong password' }),
        api.post('/auth/refresh', { refresh_token: u.access }),
        api.post('/auth/login', undefined, { raw: '{' }),
        api.post('/auth/login', undefined, { raw: 'email=x', headers: { 'content-type': 'text/plain' } }),
        api.get('/auth/me', { token: jwt.sign({ sub: String(u.id), role: 'admin', type: 'access' }, 'wrong-secret-wrong-secret', { algorithm: 'HS256', expiresIn: 900 }) }),
      ]);
      expect(rejected.map((r) => r.status)).toEqual([409, 422, 403, 401, 401, 400, 415, 401]);
      expect(await userRow(u.id)).toEqual(before.user);
      expect(await tokenRows(u.id)).toEqual(before.tokens);
      expect(await usersWithEmail(admin.email)).toBe(0);
    });
  });

  describe('rate limits, shared by two API processes', () => {
    it('limits failed logins per email across both processes, then answers 429 with Retry-After', async () => {
      const u = await signup();
      const [a, b] = emailLimited;
      for (const [i, client] of [a, b, a].entries()) {
        const res = await client.post('/auth/login', { email: i === 1 ? u.email.toUpperCase() : u.email, password: 'wrong password' });
        expect(res.status).toBe(401);
      }
      const limited = await b.post('/auth/login', { email: u.email, password: 'wrong password' });
      expectError(limited, 429, 'RATE_LIMITED');
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(600);
      // Even the right password waits: otherwise the 429 would not slow a guesser down.
      expectError(await a.post('/auth/login', { email: u.email, password: PASSWORD }), 429, 'RATE_LIMITED');
      // Other accounts are not affected.
      expectError(await a.post('/auth/login', { email: uniqueEmail(), password: 'wrong password' }), 401, 'INVALID_CREDENTIALS');
    });

    it('counts only failed logins against the account', async () => {
      const u = await signup();
      const [a, b] = emailLimited;
      for (const client of [a, b, a, b, a]) expect((await client.post('/auth/login', { email: u.email, password: PASSWORD })).status).toBe(200);
      for (const client of [a, b, a]) expect((await client.post('/auth/login', { email: u.email, password: 'wrong' })).status).toBe(401);
      expect((await b.post('/auth/login', { email: u.email, password: PASSWORD })).status).toBe(429);
    });

    it('limits signups per email across both processes', async () => {
      const body = signupBody();
      const [a, b] = emailLimited;
      expect((await a.post('/auth/user/signup', body)).status).toBe(201);
      expect((await b.post('/auth/user/signup', { ...body, email: body.email.toUpperCase() })).status).toBe(409);
      const limited = await a.post('/auth/user/signup', body);
      expectError(limited, 429, 'RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('limits logins per client address across both processes, whatever the email', async () => {
      const [a, b] = addressLimited;
      for (const client of [a, b, a, b]) expect((await client.post('/auth/login', { email: uniqueEmail(), password: 'wrong' })).status).toBe(401);
      const limited = await a.post('/auth/login', { email: uniqueEmail(), password: 'wrong' });
      expectError(limited, 429, 'RATE_LIMITED');
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(7000);
      expect(retryAfter).toBeLessThanOrEqual(7777);
      // Validation comes first: a malformed request is answered 422 even while limited.
      expectError(await b.post('/auth/login', { email: 'nope' }), 422, 'VALIDATION_ERROR');
    });

    it('limits signups and admin signups per client address across both processes, creating nothing once limited', async () => {
      const [a, b] = addressLimited;
      expect((await a.post('/auth/user/signup', signupBody())).status).toBe(201);
      expect((await b.post('/auth/admin/signup', { ...signupBody(), admin_secret: 'a wrong guess' })).status).toBe(403);
      expect((await a.post('/auth/user/signup', signupBody())).status).toBe(201);
      const body = signupBody();
      expectError(await b.post('/auth/user/signup', body), 429, 'RATE_LIMITED');
      const admin = { ...signupBody(), admin_secret: stack.config.adminRegistrationSecret };
      expectError(await a.post('/auth/admin/signup', admin), 429, 'RATE_LIMITED');
      expect(await usersWithEmail(body.email)).toBe(0);
      expect(await usersWithEmail(admin.email)).toBe(0);
    });
  });

  describe('client address keys', () => {
    it.each([
      ['127.0.0.1', '127.0.0.1'],
      ['::ffff:10.1.2.3', '10.1.2.3'],
      ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
      ['2001:db8:1:2::ffff', '2001:db8:1:2::/64'],
      ['2001:DB8::1', '2001:db8:0:0::/64'],
      ['fe80::1%eth0', 'fe80:0:0:0::/64'],
      ['::1', '0:0:0:0::/64'],
    ])('counts %s as %s', (ip, subject) => {
      expect(clientAddressSubject(ip)).toBe(subject);
    });
  });
});
