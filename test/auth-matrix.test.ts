import pino from 'pino';
import type { UserRole } from '../src/db/models';
import { apiRouters } from '../src/routes';
import { createUser } from './helpers/factories';
import { registeredRoutes, type RegisteredRoute } from './helpers/security';
import { useTestStack, type TestStack } from './helpers/stack';

/**
 * Every role-guarded route answers 401 without a token and 403 to the roles it does not admit.
 * The routes come from the registered routers (any middleware made by requireRole), so a route
 * added later is covered without touching this file.
 */

const ROLES: UserRole[] = ['user', 'staff', 'admin'];
/** Ids that exist nowhere, so an admitted caller meets a 404 or 422 and changes nothing. */
const ABSENT_ID = '2147483647';

/** API.md's admin-only operations: once their router is registered, each must be guarded. */
const ADMIN_ONLY = [
  'POST /movies',
  'PATCH /movies/:id',
  'DELETE /movies/:id',
  'POST /auditoriums',
  'POST /showtimes',
  'PATCH /showtimes/:id',
  'DELETE /showtimes/:id',
  'POST /auth/staff',
  'GET /users',
  'PATCH /users/:id',
];

/** Writes that are meant to be open to anyone, or to any signed-in user. Anything else must be guarded. */
const NOT_ROLE_GUARDED = [
  'POST /auth/user/signup',
  'POST /auth/admin/signup',
  'POST /auth/login',
  'POST /auth/refresh',
  'POST /auth/logout',
  // Each acts on the caller's own account only.
  'PATCH /auth/me',
  'POST /auth/password',
  'POST /reservations',
  'POST /reservations/:id/confirm',
  'POST /reservations/:id/extend',
  'POST /reservations/:id/cancel',
  'POST /webhooks/payments',
];

const concretePath = (path: string) => path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, ABSENT_ID);
const nameOf = (r: Pick<RegisteredRoute, 'method' | 'path'>) => `${r.method} ${r.path}`;

const deps = (stack: TestStack) => ({ config: stack.config, knex: stack.knex, temporal: stack.client, logger: pino({ level: 'silent' }) });

describe('role-guarded route matrix', () => {
  let routes: RegisteredRoute[];
  const tokens = {} as Record<UserRole, string>;

  const { stack, api } = useTestStack({ worker: false });
  beforeAll(async () => {
    routes = registeredRoutes(apiRouters(deps(stack)));
    for (const role of ROLES) tokens[role] = (await createUser(stack.knex, stack.config.jwtSecret, role)).token;
  });

  const guarded = () => routes.filter((r) => r.roles !== undefined);

  it('finds guarded routes, including every admin-only operation of API.md that is registered', () => {
    expect(guarded().length).toBeGreaterThan(0);
    const byName = new Map(routes.map((r) => [nameOf(r), r]));
    for (const name of ADMIN_ONLY) {
      const route = byName.get(name);
      if (!route) continue;
      expect({ route: name, roles: route.roles }).toEqual({ route: name, roles: ['admin'] });
    }
  });

  it('has the whole catalog registered once any of it is', () => {
    const catalog = routes.filter((r) => /^\/(movies|auditoriums|showtimes)\b/.test(r.path));
    if (catalog.length === 0) return;
    const names = new Set(routes.map(nameOf));
    expect(ADMIN_ONLY.filter((name) => !names.has(name))).toEqual([]);
  });

  it('leaves no write unguarded unless it is meant to be', () => {
    const unguardedWrites = routes.filter((r) => r.method !== 'GET' && r.roles === undefined).map(nameOf);
    expect(unguardedWrites.filter((name) => !NOT_ROLE_GUARDED.includes(name))).toEqual([]);
  });

  it('answers 401 without a token, 403 to every role not admitted, and lets admitted roles past the guard', async () => {
    const failures: string[] = [];
    for (const route of guarded()) {
      const path = concretePath(route.path);
      const send = (token?: string) => api.request(route.method, path, route.method === 'GET' ? undefined : {}, { token });

      const anonymous = await send();
      if (anonymous.status !== 401 || anonymous.body?.code !== 'UNAUTHORIZED') failures.push(`${nameOf(route)} without a token: ${anonymous.status}`);
      for (const role of ROLES) {
        const res = await send(tokens[role]);
        const admitted = route.roles!.includes(role);
        if (!admitted && (res.status !== 403 || res.body?.code !== 'FORBIDDEN')) failures.push(`${nameOf(route)} as ${role}: ${res.status}, expected 403`);
        if (admitted && [401, 403].includes(res.status)) failures.push(`${nameOf(route)} as ${role}: ${res.status}, expected to pass the guard`);
      }
    }
    expect(failures).toEqual([]);
  });
});
