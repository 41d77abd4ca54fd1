import fc from 'fast-check';
import pino from 'pino';
import { apiRouters } from '../../src/routes';
import { createShowtime, createUser } from '../helpers/factories';
import type { ApiResponse } from '../helpers/http';
import { holdSeats } from '../helpers/reservations';
import { changedTables, databaseFingerprint, errorShapeProblem, fillPath, registeredRoutes, routeName, scratchDatabase, type RegisteredRoute } from '../helpers/security';
import { useTestStack } from '../helpers/stack';

/**
 * Property-based tests over every route of `apiRouters(deps)` (so a route added later is fuzzed
 * too): generated path parameters, query strings, headers and bodies, from arbitrary JSON to
 * near-valid bodies with one hostile field, sent as anonymous, a user, staff, an admin or with a
 * garbage token. For every request:
 *   - no 5xx;
 *   - a 4xx is in API.md's error shape (`{detail, code, errors?}`, errors only on 422, nothing
 *     leaked, WWW-Authenticate on 401, Retry-After on 429);
 *   - a refused request changed no row of any table (a fingerprint of every row, on a database
 *     of this file's own). The exception is 402: a declined charge is recorded, by design.
 *
 * Runs are bounded: FUZZ_RUNS per route (default 60). FUZZ_SEED replays a run (fast-check prints
 * the seed and the counterexample of a failure); FUZZ_SHRINK=1 shrinks counterexamples.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

// ---- hostile building blocks -------------------------------------------------------------

const SQLISH = ["' OR 1=1 --", "'; DROP TABLE users; --", '" OR ""="', '1; SELECT pg_sleep(10)', "1' UNION SELECT password_hash FROM users --", '%', '_', '\\', "%' --", '$1', '?'];
const UNICODE = ['\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\udbff', '\u202e', '\u200f\u05d0', '\ufeff', 'e\u0301', '\u{1f3ac}', '\u{10ffff}', '\u2028', '\u0130', 'ß', '\uffff', '\u001b[31m', '\r\n'];
const NUMERIC_TEXT = ['0', '-0', '-1', '1.5', '1e3', '1E3', '0x10', '0b1', '+1', ' 1', '1 ', '01', '1.0', '2147483647', '2147483648', '9007199254740993', '9'.repeat(40), 'NaN', 'Infinity', '-Infinity', 'null', 'undefined', 'true', '[]', '{}'];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const hostileChar = fc.oneof(fc.string({ unit: 'binary', maxLength: 1 }), loneSurrogate, fc.constantFrom(...UNICODE));
/** Hostile strings; `longest` bounds the long runs (URLs stay under Node's 16 KB header limit, which answers 431 before the app sees a request). */
const hostileStringUpTo = (longest: number): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...SQLISH, ...UNICODE, ...NUMERIC_TEXT, '', ' ', 'pm_card_visa', 'pm_card_declined', 'A', 'regular', 'held') },
    { weight: 3, arbitrary: fc.string({ unit: hostileChar, maxLength: 20 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
    { weight: 1, arbitrary: fc.constantFrom(...[101, 201, 256, 501, 1025, 5001, 20_000].filter((n) => n <= longest)).map((n) => 'x'.repeat(n)) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...SQLISH), fc.constantFrom(...UNICODE)).map(([a, b]) => a + b) },
  );
const hostileString = hostileStringUpTo(20_000);
const hostileUrlString = hostileStringUpTo(501);
const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -0, -1, 1, 1.5, 0.1 + 0.2, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 2 ** 53 + 2, 1e21, 1e308, -1e308, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const scalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom(...UNICODE) },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 12 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, scalar, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 30, max: 40 }).map((depth) => nest(depth)) },
);

function nest(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i += 1) v = i % 2 ? [v] : { a: v };
  return v;
}

/** Every field name the API reads, plus the ones it must ignore (mass assignment). */
const FIELDS = [
  'name', 'email', 'password', 'admin_secret', 'refresh_token', 'showtime_id', 'seat_ids', 'payment_method', 'reason', 'title', 'description',
  'duration_minutes', 'genre', 'rating', 'poster_url', 'rows', 'row', 'seats', 'seat_type', 'price_modifier', 'is_active', 'movie_id', 'auditorium_id',
  'starts_at', 'base_price', 'id', 'type', 'data', 'role', 'status', 'total_price', 'user_id', 'is_deleted', 'price', 'ends_at', '__proto__', 'constructor',
];
const QUERY_KEYS = ['page', 'page_size', 'q', 'genre', 'status', 'showtime_id', 'user_id', 'movie_id', 'auditorium_id', 'from', 'to', 'id'];
const RAW_BODIES = ['{', '{"a":', '[', '"', 'nul\u0000', '{"a":1}}', "{'a':1}", '{"a":NaN}', '{"a":1e999}', '{"__proto__":{"role":"admin"}}', '\ufeff{}', ' ', 'null', 'true', '[]', '1', '"\\ud800"', '['.repeat(40) + ']'.repeat(40)];
const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/vnd.api+json') },
  { weight: 2, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1', 'multipart/form-data; boundary=x', '') },
);

/** encodeURIComponent, except that a lone surrogate (which it refuses) goes out as the raw bytes of its WTF-8 form. */
function encode(value: string): string {
  let out = '';
  for (const ch of value) {
    try {
      out += encodeURIComponent(ch);
    } catch {
      const c = ch.charCodeAt(0);
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    }
  }
  return out;
}

// ---- requests --------------------------------------------------------------------------------

type Caller = 'anonymous' | 'user' | 'other' | 'staff' | 'admin' | 'garbage';

interface FuzzRequest {
  caller: Caller;
  params: Record<string, string>;
  query: string;
  body: { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'raw'; text: string };
  contentType: string;
  idempotencyKey?: string;
}

describe('property-based: every route against generated hostile input', () => {
  let dropDatabase: () => Promise<void>;
  let routes: RegisteredRoute[];
  const tokens = {} as Record<Exclude<Caller, 'anonymous'>, string | undefined>;
  /** Ids that exist (so requests reach deep into the handlers), as path and body values. */
  let knownIds: string[];
  /** The ones that fit each kind of path: a reservation's id for /reservations/:id, and so on. */
  let idsFor: (route: RegisteredRoute, param: string) => string[];
  let freshHolds: () => Promise<void>;
  /** A valid body per route, which the generator breaks one field at a time. */
  let templates: Record<string, Record<string, unknown>>;

  let scratchUrl: string;
  beforeAll(async () => {
    const scratch = await scratchDatabase('fuzz');
    dropDatabase = scratch.drop;
    scratchUrl = scratch.url;
  });
  const { stack, api } = useTestStack(() => ({ env: { DATABASE_URL: scratchUrl, RATE_LIMIT_LOGIN_PER_EMAIL: '0', RATE_LIMIT_SIGNUP_PER_EMAIL: '0', LOGIN_BACKOFF_FREE_FAILURES: '0' }, webhooks: false }));
  // Registered after the stack's hooks: the database goes once the stack has closed.
  afterAll(async () => {
    await dropDatabase?.();
  });
  beforeAll(async () => {
    // An accepted event stream never ends, so a fuzzed request to it would wait forever; its bad
    // input (404, 422, 429, 204) is tested in test/seatmap.events.test.ts.
    routes = registeredRoutes(apiRouters({ config: stack.config, knex: stack.knex, temporal: stack.client, logger: pino({ level: 'silent' }) })).filter(
      (r) => !r.path.endsWith('/seats/events'),
    );
    const secret = stack.config.jwtSecret;
    const [user, other, staff, admin] = [await createUser(stack.knex, secret), await createUser(stack.knex, secret), await createUser(stack.knex, secret, 'staff'), await createUser(stack.knex, secret, 'admin')];
    Object.assign(tokens, { user: user.token, other: other.token, staff: staff.token, admin: admin.token, garbage: 'eyJhbGciOiJub25lIn0.e30.' });
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 30 }] });
    const holds: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      holds.push((await holdSeats(api, i < 10 ? user.token : other.token, show.id, [show.seats[i].id])).id);
    }
    const othersHolds = holds.slice(10);
    // Confirms and cancels use holds up; each reservation route starts with fresh ones of the user's.
    freshHolds = async () => {
      const fresh = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 8 }] });
      const ids: string[] = [];
      for (const seat of fresh.seats) {
        ids.push((await holdSeats(api, user.token, fresh.id, [seat.id])).id);
      }
      holds.splice(0, holds.length, ...ids, ...othersHolds);
    };
    const seats = show.seats.slice(0, 8).map((s) => String(s.id));
    knownIds = [String(show.id), String(show.movie.id), String(show.auditorium.id), ...seats, ...holds, holds[0].toUpperCase()];
    idsFor = (route, param) => {
      if (param === 'seatId') return seats;
      if (route.path.startsWith('/reservations')) return holds;
      if (route.path.startsWith('/movies')) return [String(show.movie.id)];
      if (route.path.startsWith('/auditoriums')) return [String(show.auditorium.id)];
      if (route.path.startsWith('/showtimes')) return [String(show.id)];
      return knownIds;
    };
    const startsAt = new Date(Date.now() + 5 * 86_400_000).toISOString();
    const signup = { name: 'Fuzz', email: 'fuzz@example.test', password: 'long enough pw' };
    templates = {
      'POST /auth/user/signup': signup,
      'POST /auth/admin/signup': { ...signup, admin_secret: 'not the secret' },
      'POST /auth/staff': signup,
      'POST /auth/login': { email: user.email, password: 'long enough pw' },
      'POST /auth/refresh': { refresh_token: 'x' },
      'POST /auth/logout': { refresh_token: 'x' },
      'POST /reservations': { showtime_id: show.id, seat_ids: [show.seats[10].id] },
      'POST /reservations/:id/confirm': { payment_method: 'pm_card_visa' },
      'POST /reservations/:id/cancel': { reason: 'fuzz' },
      'POST /movies': { title: 'Fuzz', duration_minutes: 90 },
      'PATCH /movies/:id': { title: 'Fuzz' },
      'POST /auditoriums': { name: 'Fuzz hall', rows: [{ row: 'A', seats: 2 }] },
      'PATCH /auditoriums/:id/seats/:seatId': { is_active: true },
      'POST /showtimes': { movie_id: show.movie.id, auditorium_id: show.auditorium.id, starts_at: startsAt, base_price: '10.00' },
      'PATCH /showtimes/:id': { base_price: '11.00' },
      'POST /webhooks/payments': { id: 'evt_1', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1', amount: 1000, metadata: { reservation_id: holds[0] } } } },
    };
  }, 60_000);

  function requestArbitrary(route: RegisteredRoute): fc.Arbitrary<FuzzRequest> {
    const template = templates[routeName(route)] ?? {};
    const param = (name: string) =>
      fc.oneof(
        { weight: 5, arbitrary: fc.constantFrom(...idsFor(route, name)) },
        { weight: 1, arbitrary: fc.constantFrom(...knownIds) },
        { weight: 2, arbitrary: fc.constantFrom(...NUMERIC_TEXT, ...SQLISH) },
        { weight: 1, arbitrary: fc.uuid().map(String) },
        { weight: 2, arbitrary: hostileUrlString.filter((s) => s.length > 0) },
      );
    const params = fc.record(Object.fromEntries(route.params.map((p) => [p, param(p).map(encode)])) as Record<string, fc.Arbitrary<string>>);
    // Mostly the caller the route is meant for, so requests get past the guards; the rest anybody.
    const meantFor: Caller = route.roles ? (route.roles.includes('admin') ? 'admin' : 'staff') : 'user';
    const queryValue = fc.oneof(hostileUrlString.map(encode), fc.constantFrom(...knownIds), fc.constantFrom('%', '%E0%A4%A', '%FF', '%00', '%2'));
    const query = fc.oneof(
      { weight: 1, arbitrary: fc.constant('') },
      {
        weight: 3,
        arbitrary: fc
          .array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), hostileUrlString.map(encode)), queryValue), { maxLength: 5 })
          .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : '')),
      },
    );
    // Mostly the route's own fields (that is where validation has to hold), then any field, then anything.
    const own = Object.keys(template);
    const fieldName = fc.oneof(
      { weight: own.length ? 4 : 0, arbitrary: own.length ? fc.constantFrom(...own) : fc.constant('id') },
      { weight: 2, arbitrary: fc.constantFrom(...FIELDS) },
      { weight: 1, arbitrary: hostileString },
    );
    // The valid body with one string field spiked: a hostile character slipped into an otherwise
    // valid value, so everything else passes validation and the value travels as far as it can.
    const stringFields = own.filter((k) => typeof template[k] === 'string');
    const spiked = fc
      .tuple(fc.constantFrom(...(stringFields.length ? stringFields : ['id'])), fc.nat(), fc.oneof(hostileChar, fc.constantFrom(...UNICODE)))
      .map(([field, at, ch]) => {
        const value = String(template[field] ?? '');
        const i = at % (value.length + 1);
        return { kind: 'json' as const, value: { ...template, [field]: value.slice(0, i) + ch + value.slice(i) } };
      });
    const body = fc.oneof(
      { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
      { weight: stringFields.length ? 4 : 0, arbitrary: spiked },
      // The valid body with one field broken, removed, or a field added that must be ignored.
      {
        weight: 4,
        arbitrary: fc
          .tuple(fieldName, hostileValue, fc.integer({ min: 0, max: 4 }).map((n) => n === 0))
          .map(([field, value, remove]) => {
            const broken: Record<string, unknown> = { ...template };
            if (remove && field in broken) delete broken[field];
            else Object.defineProperty(broken, field, { value, enumerable: true, configurable: true, writable: true });
            return { kind: 'json' as const, value: broken };
          }),
      },
      { weight: 2, arbitrary: fc.dictionary(fieldName, hostileValue, { maxKeys: 6 }).map((value) => ({ kind: 'json' as const, value })) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => ({ kind: 'json' as const, value })) },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_BODIES).map((text) => ({ kind: 'raw' as const, text })) },
    );
    const idempotencyKey = fc.option(
      // What an HTTP client will send in a header: visible Latin-1 (no DEL, no control characters).
      fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 300 }).filter((s) => s.trim() === s),
      { nil: undefined },
    );
    return fc.record({
      caller: fc.oneof({ weight: 4, arbitrary: fc.constant(meantFor) }, { weight: 2, arbitrary: fc.constantFrom<Caller>('admin', 'user', 'other', 'staff', 'anonymous', 'garbage') }),
      params,
      query,
      body,
      contentType,
      idempotencyKey,
    });
  }

  async function send(route: RegisteredRoute, req: FuzzRequest): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    if (req.idempotencyKey !== undefined && routeName(route) === 'POST /reservations') headers['idempotency-key'] = req.idempotencyKey;
    let raw: string | undefined;
    // fetch sends no body with a GET (nor does any client worth fuzzing for).
    if (route.method !== 'GET' && req.body.kind === 'json') raw = JSON.stringify(req.body.value) ?? 'null';
    if (route.method !== 'GET' && req.body.kind === 'raw') raw = req.body.text;
    if (raw !== undefined) headers['content-type'] = req.contentType;
    const token = req.caller === 'anonymous' ? undefined : tokens[req.caller];
    const path = fillPath(route.path, req.params) + req.query;
    return api.request(route.method, path, undefined, { token, headers, raw });
  }

  /** A failing request, short enough to read: what was sent, by whom. */
  function describe(route: RegisteredRoute, req: FuzzRequest): string {
    const body = req.body.kind === 'none' || route.method === 'GET' ? '' : req.body.kind === 'raw' ? req.body.text : JSON.stringify(req.body.value);
    const path = fillPath(route.path, req.params) + req.query;
    return `${route.method} ${path.slice(0, 300)} as ${req.caller} [${req.contentType}] ${body?.slice(0, 400)}`;
  }

  it('finds the routes to fuzz', () => {
    expect(routes.length).toBeGreaterThanOrEqual(25);
  });

  it('the fingerprint sees a change when there is one', async () => {
    const before = await databaseFingerprint(stack.knex);
    await stack.knex('movies').where({ id: Number(knownIds[1]) }).update({ rating: 'PG' });
    expect(changedTables(before, await databaseFingerprint(stack.knex))).toEqual(['movies']);
  });

  it(`holds for ${RUNS} generated requests per route: no 5xx, API.md errors, refused requests change nothing`, async () => {
    const failures: string[] = [];
    const statuses = new Map<string, Record<number, number>>();
    for (const route of routes) {
      if (route.path.startsWith('/reservations/:id')) await freshHolds();
      const seen: Record<number, number> = {};
      statuses.set(routeName(route), seen);
      const property = fc.asyncProperty(requestArbitrary(route), async (req) => {
        const before = await databaseFingerprint(stack.knex);
        const res = await send(route, req).catch((err: Error & { cause?: { code?: string; message?: string } }) => {
          throw new Error(`FUZZ no answer (${err.message}: ${err.cause?.code ?? err.cause?.message}) <- ${describe(route, req).slice(0, 200)} (${describe(route, req).length} chars)`);
        });
        seen[res.status] = (seen[res.status] ?? 0) + 1;
        const fail = (what: string) => {
          throw new Error(`FUZZ ${what} <- ${describe(route, req)} -> ${JSON.stringify(res.body)?.slice(0, 300)}`);
        };
        if (res.status >= 500) fail(`${res.status}`);
        if (res.status >= 400) {
          const problem = errorShapeProblem(res);
          if (problem) fail(`${res.status} ${problem}`);
          const changed = changedTables(before, await databaseFingerprint(stack.knex));
          if (res.status !== 402 && changed.length > 0) fail(`${res.status} ${res.body.code} changed ${changed.join(', ')}`);
        }
      });
      try {
        await fc.assert(property, { numRuns: RUNS, seed: SEED, endOnFailure: process.env.FUZZ_SHRINK !== '1' });
      } catch (err) {
        // fast-check's report repeats the whole counterexample; the seed and our own summary suffice.
        const message = (err as Error).message;
        const seed = /\{ seed: [^}]*\}/.exec(message)?.[0] ?? '';
        const cause = (err as Error & { cause?: unknown }).cause;
        const causeMessage = (cause as { message?: unknown } | undefined)?.message;
        const summary = typeof causeMessage === 'string' ? causeMessage : message.slice(0, 500);
        failures.push(`${routeName(route)} ${seed}: ${summary}`);
      }
    }
    // Most answers should be refusals, and the valid-body-with-one-field-broken requests should
    // reach past validation sometimes: a route answering nothing but 401 or 404 fuzzes nothing.
    if (process.env.FUZZ_REPORT === '1') console.log([...statuses].map(([name, st]) => `${name}: ${JSON.stringify(st)}`).join('\n'));
    expect(failures).toEqual([]);
    const onlyRefusedAtTheDoor = [...statuses].filter(([, s]) => Object.keys(s).every((code) => ['401', '403'].includes(code))).map(([name]) => name);
    expect(onlyRefusedAtTheDoor).toEqual([]);
  }, 300_000);
});
