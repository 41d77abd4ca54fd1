import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type Router from '@koa/router';
import pino from 'pino';
import { rootRouters } from '../src/app';
import { createApiMetrics } from '../src/metrics/apiMetrics';
import { buildOpenApiDocument } from '../src/openapi/document';
import { ROUTES } from '../src/openapi/routes';
import type { RouteDoc } from '../src/openapi/types';
import { apiRouters } from '../src/routes';
import { minutesFromNow, uniqueToken } from './helpers/catalog';
import { createUser } from './helpers/factories';
import type { ApiResponse } from './helpers/http';
import { registeredRoutes, type RegisteredRoute } from './helpers/security';
import { useTestStack } from './helpers/stack';

/**
 * GET /openapi.json describes exactly the routes the routers register, is valid OpenAPI 3.1,
 * its request examples pass the zod schemas the API validates with, and real answers match the
 * documented response schemas.
 */

const ABSENT_ID = '2147483647';
const concrete = (p: string) => p.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, ABSENT_ID);
const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** The routes of `routers`, their paths under `prefix` as the app mounts them. */
const registered = (routers: Router[], prefix: string) => registeredRoutes(routers).map((r) => ({ ...r, path: prefix + r.path }));

type Operation = { security?: unknown[]; 'x-required-roles'?: string[]; requestBody?: unknown };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

function documented(doc: Document): { method: string; path: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([p, item]) =>
    Object.entries(item)
      .filter(([m]) => HTTP_METHODS.includes(m))
      .map(([m, op]) => ({ method: m.toUpperCase(), path: p.replace(/\{([^}]+)\}/g, ':$1'), op })),
  );
}

const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

/** The zod schema ROUTES documents for an answer, to check a real one against it. */
function documentedSchema(method: string, routePath: string, status: number) {
  const route: RouteDoc | undefined = ROUTES.find((r) => r.method === method && r.path === routePath);
  const schema = route?.responses.find((r) => r.status === status)?.schema;
  if (!schema) throw new Error(`no documented ${status} schema for ${method} ${routePath}`);
  return schema.schema;
}

function expectDocumented(res: ApiResponse, method: string, routePath: string, status: number): void {
  expect(res.status).toBe(status);
  const parsed = documentedSchema(method, routePath, status).safeParse(res.body);
  if (!parsed.success) throw new Error(`${method} ${routePath} answered a body the document does not describe: ${parsed.error.message}`);
}

describe('OpenAPI document', () => {
  let doc: Document;
  let routes: RegisteredRoute[];

  const { stack, api } = useTestStack();
  beforeAll(async () => {
    const deps = { config: stack.config, knex: stack.knex, temporal: stack.client, logger: pino({ level: 'silent' }) };
    routes = [...registered(apiRouters(deps), '/api/v1'), ...registered(rootRouters(deps, createApiMetrics()), '')];
    const res = await api.get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = res.body as Document;
  });

  it('documents every registered route, and nothing else', () => {
    expect(routes.length).toBeGreaterThan(20);
    const documentedKeys = documented(doc).map(key).sort();
    const registeredKeys = [...new Set(routes.map(key))].sort();
    expect(registeredKeys.filter((k) => !documentedKeys.includes(k))).toEqual([]);
    expect(documentedKeys.filter((k) => !registeredKeys.includes(k))).toEqual([]);
    for (const root of ['GET /healthz', 'GET /openapi.json', 'GET /docs', 'GET /metrics']) expect(documentedKeys).toContain(root);
  });

  it('names the roles each guarded route admits', () => {
    const ops = new Map(documented(doc).map((d) => [key(d), d.op]));
    for (const route of routes) {
      const op = ops.get(key(route));
      expect({ route: key(route), roles: op?.['x-required-roles'] ?? null }).toEqual({ route: key(route), roles: route.roles ? [...route.roles] : null });
      if (route.roles) expect({ route: key(route), security: op?.security }).toEqual({ route: key(route), security: [{ bearerAuth: [] }] });
    }
  });

  it('asks for a bearer token exactly where the API answers 401 without one', async () => {
    for (const { method, path: p, op } of documented(doc)) {
      // apiClient adds /api/v1 itself.
      const res = await api.request(method, concrete(p).replace(/^\/api\/v1/, ''), op.requestBody ? {} : undefined);
      expect({ route: `${method} ${p}`, unauthorized: res.status === 401 }).toEqual({ route: `${method} ${p}`, unauthorized: Array.isArray(op.security) && op.security.length > 0 });
    }
  });

  it('is valid OpenAPI 3.1', () => {
    expect(doc.openapi).toBe('3.1.0');
    // The validator is an ES module, which jest's CommonJS runtime cannot load: run it in Node.
    const script = `
      import { Validator } from '@seriousme/openapi-schema-validator';
      let input = '';
      for await (const chunk of process.stdin) input += chunk;
      const validator = new Validator();
      const result = await validator.validate(JSON.parse(input));
      process.stdout.write(JSON.stringify({ version: validator.version, ...result }));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: path.join(__dirname, '..'), input: JSON.stringify(doc), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ version: '3.1', valid: true });
  });

  it('has request examples that pass the zod schemas the API validates with', () => {
    const withBodies = ROUTES.filter((r) => r.body);
    expect(withBodies.length).toBeGreaterThan(10);
    for (const route of withBodies) {
      const examples = Object.entries(route.body?.examples ?? {});
      expect({ route: key(route), examples: examples.length > 0 }).toEqual({ route: key(route), examples: true });
      for (const [name, example] of examples) {
        const parsed = route.body?.schema.schema.safeParse(example.value);
        expect({ route: key(route), example: name, issues: parsed?.success ? [] : parsed?.error.issues }).toEqual({ route: key(route), example: name, issues: [] });
      }
    }
  });

  it('serves the document it builds', () => {
    // The showtime example is "tomorrow evening": compare the rest.
    const withoutExamples = (d: unknown) => JSON.parse(JSON.stringify(d, (k, v: unknown) => (k === 'examples' ? undefined : v)));
    expect(withoutExamples(doc)).toEqual(withoutExamples(buildOpenApiDocument()));
  });

  it('describes the bodies the API really answers with', async () => {
    const admin = await createUser(stack.knex, stack.config.jwtSecret, 'admin');
    const user = await createUser(stack.knex, stack.config.jwtSecret, 'user');
    const health = await api.get('/healthz');
    expectDocumented(health, 'GET', '/healthz', 200);

    const movie = await api.post('/movies', { title: `Movie ${uniqueToken()}`, duration_minutes: 100 }, { token: admin.token });
    expectDocumented(movie, 'POST', '/api/v1/movies', 201);
    const auditorium = await api.post('/auditoriums', { name: `Hall ${uniqueToken()}`, rows: [{ row: 'A', seats: 4 }] }, { token: admin.token });
    expectDocumented(auditorium, 'POST', '/api/v1/auditoriums', 201);
    const showtime = await api.post(
      '/showtimes',
      { movie_id: movie.body.id, auditorium_id: auditorium.body.id, starts_at: minutesFromNow(24 * 60), base_price: '10.00' },
      { token: admin.token },
    );
    expectDocumented(showtime, 'POST', '/api/v1/showtimes', 201);
    const showtimeId = (showtime.body as { id: number }).id;
    const seatIds = (auditorium.body as { seats: { id: number }[] }).seats.map((seat) => seat.id);
    expectDocumented(await api.get(`/showtimes/${showtimeId}`), 'GET', '/api/v1/showtimes/:id', 200);
    expectDocumented(await api.get(`/showtimes/${showtimeId}/seats`), 'GET', '/api/v1/showtimes/:id/seats', 200);
    expectDocumented(await api.get('/showtimes?page_size=2'), 'GET', '/api/v1/showtimes', 200);
    expectDocumented(await api.get('/movies?page_size=2'), 'GET', '/api/v1/movies', 200);
    expectDocumented(await api.get('/auditoriums?page_size=2'), 'GET', '/api/v1/auditoriums', 200);
    expectDocumented(await api.get(`/auditoriums/${auditorium.body.id}`), 'GET', '/api/v1/auditoriums/:id', 200);
    expectDocumented(await api.get('/auth/me', { token: user.token }), 'GET', '/api/v1/auth/me', 200);

    const hold = await api.post('/reservations', { showtime_id: showtimeId, seat_ids: seatIds.slice(0, 2) }, { token: user.token });
    expectDocumented(hold, 'POST', '/api/v1/reservations', 201);
    const id = (hold.body as { id: string }).id;
    expectDocumented(await api.get(`/reservations/${id}`, { token: user.token }), 'GET', '/api/v1/reservations/:id', 200);
    expectDocumented(await api.post(`/reservations/${id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token }), 'POST', '/api/v1/reservations/:id/confirm', 200);
    expectDocumented(await api.post(`/reservations/${id}/cancel`, {}, { token: user.token }), 'POST', '/api/v1/reservations/:id/cancel', 200);
    expectDocumented(await api.get('/reservations', { token: user.token }), 'GET', '/api/v1/reservations', 200);
    expectDocumented(await api.get(`/showtimes/${showtimeId}/report`, { token: admin.token }), 'GET', '/api/v1/showtimes/:id/report', 200);

    const missing = await api.get(`/movies/${ABSENT_ID}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: expect.any(String), code: 'MOVIE_NOT_FOUND' });
    const invalid = await api.post('/reservations', { showtime_id: 'x' }, { token: user.token });
    expect(invalid.status).toBe(422);
    expect(invalid.body).toEqual({ detail: expect.any(String), code: 'VALIDATION_ERROR', errors: expect.any(Array) });
  });
});

describe('GET /docs', () => {
  const { stack, api } = useTestStack({ worker: false });

  it('is a page that loads Swagger UI from this server, pointed at /openapi.json', async () => {
    const page = await api.get('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = String(page.body);
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(urls.length).toBeGreaterThanOrEqual(3);
    // No CDN: every script, style and icon comes from /docs/assets/ here.
    for (const url of urls) expect(url).toMatch(/^\/docs\/assets\//);
    for (const url of urls) {
      const res = await fetch(`${stack.baseUrl}${url}`);
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
      if (url.includes('.js')) expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
      await res.arrayBuffer();
    }
    const init = await (await fetch(`${stack.baseUrl}${urls.find((u) => u.includes('init.js'))}`)).text();
    expect(init).toContain("url: '/openapi.json'");
  });

  it('serves no other file of the package', async () => {
    for (const p of ['/docs/assets/package.json', '/docs/assets/../../package.json', '/docs/assets/index.html']) {
      expect((await fetch(`${stack.baseUrl}${p}`)).status).toBe(404);
    }
  });
});
