import jwt from 'jsonwebtoken';
import pino from 'pino';
import { signAccessToken } from '../../src/accounts/accessTokens';
import { apiRouters } from '../../src/routes';
import { uniqueToken } from '../helpers/catalog';
import { createShowtime, createUser } from '../helpers/factories';
import type { ApiResponse } from '../helpers/http';
import { chargeCount, holdSeats } from '../helpers/reservations';
import { changedTables, databaseFingerprint, errorShapeProblem, fillPath, registeredRoutes, routeName, scratchDatabase, type RegisteredRoute } from '../helpers/security';
import { useTestStack } from '../helpers/stack';

/**
 * Broken object level authorization, mass assignment and token tampering, on a database of this
 * file's own so "nothing changed" can be checked against every row of every table.
 *
 * Every route that takes an id is found in the registered routers and must fall under one of
 * three rules: a reservation route (owner only; another user gets 404, never 403, so ids do not
 * leak; admin and staff as API.md says), a role-guarded route (401 anonymous, 403 to roles it
 * does not admit), or a public catalog read. A new id-taking route that fits none fails here.
 *
 * test/auth-matrix.test.ts checks every role guard with absent ids and test/auth.test.ts the
 * access tokens themselves (another secret, alg none, HS512, key confusion, payload edits,
 * refresh tokens as access tokens, expired, deactivated and deleted accounts); this file does
 * not repeat them.
 */

type User = Awaited<ReturnType<typeof createUser>>;
type Caller = 'owner' | 'other' | 'staff' | 'admin' | 'anonymous';

/** What each caller gets from the reservation routes on someone else's (the owner's) reservation. */
const RESERVATION_RULES: Record<string, { body?: unknown; expect: Record<Exclude<Caller, 'owner'>, [number, string | null]> }> = {
  'GET /reservations/:id': { expect: { other: [404, 'RESERVATION_NOT_FOUND'], staff: [200, null], admin: [200, null], anonymous: [401, 'UNAUTHORIZED'] } },
  // The tickets (none yet for a hold) and their printable page: whoever may read the reservation.
  'GET /reservations/:id/tickets': { expect: { other: [404, 'RESERVATION_NOT_FOUND'], staff: [200, null], admin: [200, null], anonymous: [401, 'UNAUTHORIZED'] } },
  'GET /reservations/:id/tickets/print': { expect: { other: [404, 'RESERVATION_NOT_FOUND'], staff: [200, null], admin: [200, null], anonymous: [401, 'UNAUTHORIZED'] } },
  'POST /reservations/:id/confirm': {
    body: { payment_method: 'pm_card_visa' },
    // Only the customer pays for their own hold; nobody else can, whatever their role.
    expect: { other: [404, 'RESERVATION_NOT_FOUND'], staff: [404, 'RESERVATION_NOT_FOUND'], admin: [404, 'RESERVATION_NOT_FOUND'], anonymous: [401, 'UNAUTHORIZED'] },
  },
  'POST /reservations/:id/extend': {
    // Like a confirm: only the customer keeps their own seats longer.
    expect: { other: [404, 'RESERVATION_NOT_FOUND'], staff: [404, 'RESERVATION_NOT_FOUND'], admin: [404, 'RESERVATION_NOT_FOUND'], anonymous: [401, 'UNAUTHORIZED'] },
  },
  'POST /reservations/:id/cancel': {
    body: {},
    // Staff see every reservation but cannot cancel one; an admin can (checked last, below).
    expect: { other: [404, 'RESERVATION_NOT_FOUND'], staff: [403, 'FORBIDDEN'], admin: [200, null], anonymous: [401, 'UNAUTHORIZED'] },
  },
};

describe('object level authorization, mass assignment, token claims', () => {
  let dropDatabase: () => Promise<void>;
  let routes: RegisteredRoute[];
  const users = {} as Record<Exclude<Caller, 'anonymous'>, User>;

  let scratchUrl: string;
  beforeAll(async () => {
    const scratch = await scratchDatabase('authz');
    dropDatabase = scratch.drop;
    scratchUrl = scratch.url;
  });
  const { stack, api } = useTestStack(() => ({ env: { DATABASE_URL: scratchUrl } }), 60_000);
  // Registered after the stack's hooks: the database goes once the stack has closed.
  afterAll(async () => {
    await dropDatabase?.();
  });
  beforeAll(async () => {
    routes = registeredRoutes(apiRouters({ config: stack.config, knex: stack.knex, temporal: stack.client, logger: pino({ level: 'silent' }) }));
    users.owner = await createUser(stack.knex, stack.config.jwtSecret);
    users.other = await createUser(stack.knex, stack.config.jwtSecret);
    users.staff = await createUser(stack.knex, stack.config.jwtSecret, 'staff');
    users.admin = await createUser(stack.knex, stack.config.jwtSecret, 'admin');
  }, 60_000);

  const tokenOf = (caller: Caller) => (caller === 'anonymous' ? undefined : users[caller].token);

  const hold = (show: { id: number; seats: { id: number }[] }, seat: number, caller: Exclude<Caller, 'anonymous'> = 'owner') =>
    holdSeats(api, users[caller].token, show.id, [show.seats[seat].id]);

  /** Sends a request that must be refused, and checks it changed no row of any table. */
  async function refused(method: string, path: string, body: unknown, caller: Caller): Promise<ApiResponse> {
    const before = await databaseFingerprint(stack.knex);
    const res = await api.request(method, path, body, { token: tokenOf(caller) });
    expect({ request: `${method} ${path} as ${caller}`, changed: changedTables(before, await databaseFingerprint(stack.knex)) }).toEqual({
      request: `${method} ${path} as ${caller}`,
      changed: [],
    });
    return res;
  }

  it('finds every route that takes an id under exactly one rule', () => {
    const withIds = routes.filter((r) => r.params.length > 0);
    expect(withIds.length).toBeGreaterThanOrEqual(10);
    const unruled = withIds.filter((r) => {
      if (r.path.startsWith('/reservations')) return !RESERVATION_RULES[routeName(r)];
      return r.roles === undefined && r.method !== 'GET';
    });
    expect(unruled.map(routeName)).toEqual([]);
  });

  it('reservation routes: another user gets 404, staff and admin what API.md allows, anonymous 401; refused requests change nothing', async () => {
    const show = await createShowtime(stack.knex);
    const reservationRoutes = routes.filter((r) => r.path.startsWith('/reservations/') && r.params.includes('id'));
    expect(reservationRoutes.map(routeName).sort()).toEqual(Object.keys(RESERVATION_RULES).sort());
    let seat = 0;
    for (const route of reservationRoutes) {
      const rule = RESERVATION_RULES[routeName(route)];
      const mine = await hold(show, seat++);
      const path = fillPath(route.path, { id: mine.id });
      for (const caller of ['other', 'staff', 'anonymous', 'admin'] as const) {
        const [status, code] = rule.expect[caller];
        const res = status < 300 ? await api.request(route.method, path, rule.body, { token: tokenOf(caller) }) : await refused(route.method, path, rule.body, caller);
        expect({ route: routeName(route), caller, status: res.status }).toEqual({ route: routeName(route), caller, status });
        if (code) {
          expect(res.body.code).toBe(code);
          expect(errorShapeProblem(res)).toBeNull();
          // "Not found" means not found: no detail about whose it is or what state it is in.
          expect(JSON.stringify(res.body)).not.toMatch(new RegExp(`${users.owner.id}|${mine.id}|held`));
        }
      }
      if (routeName(route) !== 'POST /reservations/:id/cancel') {
        const own = await api.request(route.method, path, rule.body, { token: users.owner.token });
        expect({ route: routeName(route), status: own.status }).toEqual({ route: routeName(route), status: 200 });
      }
    }
    // Nobody but the owner was charged for anything.
    const confirmed = await stack.knex('reservations').where({ showtime_id: show.id, status: 'confirmed' }).pluck('id');
    for (const id of confirmed) expect(await chargeCount(stack.knex, id)).toBe(1);
    expect(await stack.knex('payments').whereNotIn('reservation_id', confirmed).count({ c: '*' })).toEqual([{ c: 0 }]);
  });

  it('lists only the caller’s own reservations, whatever the query says', async () => {
    const show = await createShowtime(stack.knex);
    const mine = await hold(show, 0);
    const theirs = await hold(show, 1, 'other');
    const idsOf = (res: ApiResponse) => (res.body.items as { id: string }[]).map((r) => r.id);
    for (const query of [`?user_id=${users.owner.id}`, `?showtime_id=${show.id}`, `?showtime_id=${show.id}&user_id=${users.owner.id}`, '?page_size=100']) {
      const res = await api.get(`/reservations${query}`, { token: users.other.token });
      expect(res.status).toBe(200);
      expect(idsOf(res)).not.toContain(mine.id);
    }
    expect(idsOf(await api.get(`/reservations?showtime_id=${show.id}`, { token: users.other.token }))).toEqual([theirs.id]);
    expect(idsOf(await api.get(`/reservations?showtime_id=${show.id}&user_id=${users.owner.id}`, { token: users.staff.token }))).toEqual([mine.id]);
    expect((await api.get('/reservations')).status).toBe(401);
  });

  /** An event stream never ends: its status, then hang up. */
  async function streamStatus(path: string): Promise<{ status: number }> {
    const abort = new AbortController();
    const res = await fetch(`${stack.baseUrl}/api/v1${path}`, { signal: abort.signal });
    abort.abort();
    return { status: res.status };
  }

  it('catalog routes with ids: reads are public, writes 401 anonymous and 403 to users and staff, changing nothing', async () => {
    const show = await createShowtime(stack.knex);
    const ids: Record<string, string> = {};
    const idsFor = (path: string): Record<string, string> => {
      if (path.startsWith('/movies')) return { id: String(show.movie.id) };
      if (path.startsWith('/auditoriums')) return { id: String(show.auditorium.id), seatId: String(show.seats[0].id) };
      if (path.startsWith('/showtimes')) return { id: String(show.id) };
      return ids;
    };
    const catalog = routes.filter((r) => r.params.length > 0 && !r.path.startsWith('/reservations'));
    expect(catalog.length).toBeGreaterThanOrEqual(8);
    for (const route of catalog) {
      const path = fillPath(route.path, idsFor(route.path));
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : { title: 'Renamed', is_active: false, base_price: '0.00' };
      if (route.roles === undefined) {
        const res = route.path.endsWith('/seats/events') ? await streamStatus(path) : await api.request(route.method, path);
        expect({ route: routeName(route), status: res.status }).toEqual({ route: routeName(route), status: 200 });
        continue;
      }
      const anonymous = await refused(route.method, path, body, 'anonymous');
      expect({ route: routeName(route), status: anonymous.status, code: anonymous.body.code }).toEqual({ route: routeName(route), status: 401, code: 'UNAUTHORIZED' });
      for (const caller of ['owner', 'staff'] as const) {
        if (route.roles.includes(users[caller].role)) continue;
        const res = await refused(route.method, path, body, caller);
        expect({ route: routeName(route), caller, status: res.status, code: res.body.code }).toEqual({ route: routeName(route), caller, status: 403, code: 'FORBIDDEN' });
      }
    }
  });

  describe('mass assignment', () => {
    it('signup and staff accounts ignore role, is_active, is_deleted, id, password_hash and timestamps', async () => {
      const extra = { role: 'admin', is_active: false, is_deleted: true, id: 1, password_hash: '$2b$04$abcdefghijklmnopqrstuv', created_at: '2000-01-01T00:00:00Z', phone: '+1 555' };
      const email = `mass-${uniqueToken()}@example.test`;
      const signup = await api.post('/auth/user/signup', { name: 'Mallory', email, password: 'long enough pw', ...extra });
      expect(signup.status).toBe(201);
      expect(signup.body.user).toMatchObject({ role: 'user', is_active: true, email });
      expect(signup.body.user.id).not.toBe(1);
      const row = await stack.knex('users').where({ email }).first();
      expect(row).toMatchObject({ role: 'user', is_active: true, is_deleted: false });
      expect(row.password_hash).not.toBe(extra.password_hash);
      expect(new Date(row.created_at).getFullYear()).toBeGreaterThan(2000);
      expect((await api.post('/auth/login', { email, password: 'long enough pw' })).status).toBe(200);

      const staff = await api.post('/auth/staff', { name: 'S', email: `mass-staff-${uniqueToken()}@example.test`, password: 'long enough pw', ...extra }, { token: users.admin.token });
      expect(staff.status).toBe(201);
      expect(staff.body).toMatchObject({ role: 'staff', is_active: true });
    });

    it('a hold ignores status, prices, owner, expiry, ids and payment fields in its body', async () => {
      const show = await createShowtime(stack.knex, { basePrice: '12.50' });
      const res = await api.post(
        '/reservations',
        {
          showtime_id: show.id,
          seat_ids: [show.seats[0].id],
          status: 'confirmed',
          total_price: '0.00',
          price: '0.00',
          seats: [{ seat_id: show.seats[0].id, price: '0.00' }],
          user_id: users.other.id,
          id: '00000000-0000-4000-8000-000000000000',
          workflow_id: 'reservation-someone-else',
          expires_at: '2099-01-01T00:00:00Z',
          hold_expires_at: '2099-01-01T00:00:00Z',
          payment_id: 'pi_forged',
          confirmed_at: '2020-01-01T00:00:00Z',
        },
        { token: users.owner.token },
      );
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ status: 'held', total_price: '12.50', user_id: users.owner.id, payment_id: null, confirmed_at: null, seats: [{ price: '12.50' }] });
      expect(res.body.id).not.toBe('00000000-0000-4000-8000-000000000000');
      expect(res.body.workflow_id).toBe(`reservation-${res.body.id}`);
      expect(Date.parse(res.body.expires_at)).toBeLessThan(Date.now() + (stack.config.holdTtlSeconds + 60) * 1000);

      const confirm = await api.post(`/reservations/${res.body.id}/confirm`, { payment_method: 'pm_card_visa', amount: '0.01', status: 'cancelled', user_id: users.other.id }, { token: users.owner.token });
      expect(confirm.status).toBe(200);
      expect(confirm.body).toMatchObject({ status: 'confirmed', total_price: '12.50', user_id: users.owner.id });
      const [charge] = await stack.knex('fake_provider_charges').whereRaw(`metadata->>'reservation_id' = ?`, [res.body.id]);
      expect(charge.amount).toBe('12.50');

      const cancel = await api.post(`/reservations/${res.body.id}/cancel`, { refund_amount: '999.00', status: 'held', requested_by: 'operator' }, { token: users.owner.token });
      expect(cancel.status).toBe(200);
      expect(cancel.body).toMatchObject({ status: 'cancelled', refund_amount: '12.50' });
    });

    it('catalog bodies ignore is_deleted, ids, timestamps and computed fields', async () => {
      const admin = users.admin.token;
      const movie = await api.post('/movies', { title: `Mass ${uniqueToken()}`, duration_minutes: 90, is_deleted: true, id: 1, created_at: '2000-01-01T00:00:00Z' }, { token: admin });
      expect(movie.status).toBe(201);
      expect(movie.body.id).not.toBe(1);
      expect((await api.get(`/movies/${movie.body.id}`)).status).toBe(200);
      // A PATCH of nothing but protected fields changes nothing and says so.
      const patch = await refused('PATCH', `/movies/${movie.body.id}`, { is_deleted: true, id: 2, updated_at: '2000-01-01T00:00:00Z' }, 'admin');
      expect(patch.status).toBe(422);
      expect((await api.patch(`/movies/${movie.body.id}`, { title: 'Renamed', is_deleted: true }, { token: admin })).body).toMatchObject({ title: 'Renamed' });
      expect((await api.get(`/movies/${movie.body.id}`)).status).toBe(200);

      const hall = await api.post('/auditoriums', { name: `Mass ${uniqueToken()}`, is_deleted: true, rows: [{ row: 'A', seats: 2, is_active: false, is_deleted: true, id: 1 }] }, { token: admin });
      expect(hall.status).toBe(201);
      expect(hall.body.seats.map((s: { is_active: boolean }) => s.is_active)).toEqual([true, true]);
      expect((await api.get(`/auditoriums/${hall.body.id}`)).status).toBe(200);
      const seatPatch = await refused('PATCH', `/auditoriums/${hall.body.id}/seats/${hall.body.seats[0].id}`, { auditorium_id: 1, row: 'Z', number: 99, is_deleted: true }, 'admin');
      expect(seatPatch.status).toBe(422);

      const startsAt = new Date(Date.now() + 3 * 86_400_000);
      startsAt.setUTCSeconds(0, 0);
      const showtime = await api.post(
        '/showtimes',
        { movie_id: movie.body.id, auditorium_id: hall.body.id, starts_at: startsAt.toISOString(), base_price: '9.00', ends_at: startsAt.toISOString(), is_deleted: true },
        { token: admin },
      );
      expect(showtime.status).toBe(201);
      expect(Date.parse(showtime.body.ends_at)).toBe(startsAt.getTime() + (90 + stack.config.cleaningBufferMinutes) * 60_000);
      expect((await api.get(`/showtimes/${showtime.body.id}`)).status).toBe(200);
      expect((await refused('PATCH', `/showtimes/${showtime.body.id}`, { ends_at: '2099-01-01T00:00:00Z', is_deleted: true }, 'admin')).status).toBe(422);
    });
  });

  describe('token claims (tampering itself: test/auth.test.ts)', () => {
    it('the role comes from the database, not from the token: a user claiming admin stays a user', async () => {
      const show = await createShowtime(stack.knex);
      const mine = await hold(show, 0);
      const claimsAdmin = signAccessToken({ id: users.other.id, role: 'admin' }, stack.config.jwtSecret);
      const forged = jwt.sign({ sub: String(users.other.id), role: 'admin', type: 'access' }, stack.config.jwtSecret, { algorithm: 'HS256', expiresIn: 900 });
      for (const token of [claimsAdmin, forged]) {
        expect((await api.get(`/reservations/${mine.id}`, { token })).status).toBe(404);
        const before = await databaseFingerprint(stack.knex);
        const res = await api.post('/movies', { title: 'Escalated', duration_minutes: 90 }, { token });
        expect(res.status).toBe(403);
        expect(changedTables(before, await databaseFingerprint(stack.knex))).toEqual([]);
      }
    });

    it('a token for another user id, signed with the wrong secret, is refused on every reservation route', async () => {
      const show = await createShowtime(stack.knex);
      const mine = await hold(show, 0);
      const wrongSecret = jwt.sign({ sub: String(users.owner.id), role: 'user', type: 'access' }, 'not-the-secret-but-long-enough', { algorithm: 'HS256', expiresIn: 900 });
      for (const [method, path] of [['GET', `/reservations/${mine.id}`], ['POST', `/reservations/${mine.id}/confirm`], ['POST', `/reservations/${mine.id}/cancel`], ['GET', '/reservations']]) {
        const before = await databaseFingerprint(stack.knex);
        const res = await api.request(method, path, method === 'POST' ? { payment_method: 'pm_card_visa' } : undefined, { token: wrongSecret });
        expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 401, code: 'UNAUTHORIZED' });
        expect(changedTables(before, await databaseFingerprint(stack.knex))).toEqual([]);
      }
    });
  });
});
