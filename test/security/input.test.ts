import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import Router from '@koa/router';
import pino from 'pino';
import { errorMiddleware } from '../../src/http/errorMiddleware';
import { MAX_BODY_BYTES } from '../../src/http/bodyParser';
import { createShowtime, createUser } from '../helpers/factories';
import { apiClient, type ApiClient, type ApiResponse } from '../helpers/http';
import { uniqueToken } from '../helpers/catalog';
import { freePort } from '../../scripts/lib/ports';
import { eventually } from '../helpers/reservations';
import { errorShapeProblem } from '../helpers/security';
import { useTestStack } from '../helpers/stack';

/**
 * Hostile input, one kind at a time: oversized and mislabelled bodies, deep JSON, Unicode edge
 * cases, numbers that overflow, ids that are not plain positive integers, SQL-looking strings,
 * and database errors that reach the error middleware untranslated. Each answer is a 4xx in
 * API.md's error shape (never a 5xx) and changes nothing. tests/security/fuzz.test.ts throws
 * generated input of the same kinds at every route.
 */

type User = Awaited<ReturnType<typeof createUser>>;

describe('hostile input', () => {
  let admin: User;
  let user: User;

  const { stack, api } = useTestStack();
  beforeAll(async () => {
    admin = await createUser(stack.knex, stack.config.jwtSecret, 'admin');
    user = await createUser(stack.knex, stack.config.jwtSecret);
  });

  function expectError(res: ApiResponse, status: number, code?: string) {
    expect({ status: res.status, problem: errorShapeProblem(res) }).toEqual({ status, problem: null });
    if (code) expect(res.body.code).toBe(code);
  }
  const moviesTitled = async (title: string) => Number((await stack.knex('movies').where({ title }).count({ c: '*' }))[0].c);
  const movieCount = async () => Number((await stack.knex('movies').count({ c: '*' }))[0].c);
  const reservationCount = async () => Number((await stack.knex('reservations').count({ c: '*' }))[0].c);

  /** A raw HTTP request, for what fetch will not send (chunked bodies without a length, unknown methods). */
  function rawRequest(method: string, path: string, headers: Record<string, string>, write?: (req: http.ClientRequest) => void) {
    const { port } = new URL(stack.baseUrl);
    return new Promise<{ status: number; body: unknown; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
      // A connection of its own: one the server answered early (413) is not reused.
      const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text, so the assertion shows it
          }
          resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
        });
      });
      // The server may answer (413) and close before the whole body is sent.
      req.on('error', (err) => (err as NodeJS.ErrnoException).code === 'EPIPE' || (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err));
      if (write) write(req);
      req.end();
    });
  }

  describe('oversized bodies: 413', () => {
    it('refuses a declared length over the limit before reading, and creates nothing', async () => {
      const title = `Big ${uniqueToken()}`;
      const res = await api.post('/movies', { title, duration_minutes: 90, description: 'x'.repeat(MAX_BODY_BYTES) }, { token: admin.token });
      expectError(res, 413, 'PAYLOAD_TOO_LARGE');
      expect(await moviesTitled(title)).toBe(0);
    });

    it('refuses a chunked body (no Content-Length) once it passes the limit', async () => {
      const res = await rawRequest('POST', '/api/v1/auth/login', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, (req) => {
        for (let i = 0; i < 20; i += 1) req.write('x'.repeat(8 * 1024));
      });
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    });

    it('reads a body of exactly the limit (then judges its content)', async () => {
      const prefix = '{"email":"a@example.test","password":"';
      const body = prefix + 'p'.repeat(MAX_BODY_BYTES - prefix.length - 2) + '"}';
      expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
      expectError(await api.post('/auth/login', undefined, { raw: body }), 422, 'VALIDATION_ERROR');
      expectError(await api.post('/auth/login', undefined, { raw: body.replace('"}', ' "}') }), 413, 'PAYLOAD_TOO_LARGE');
    });
  });

  describe('wrong content types: 415', () => {
    it.each([
      ['text/plain', '{"payment_method":"pm_card_visa"}'],
      ['application/x-www-form-urlencoded', 'showtime_id=1&seat_ids=1'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="showtime_id"\r\n\r\n1\r\n--x--'],
      ['application/xml', '<reservation/>'],
      ['application/json; charset=iso-8859-1', '{"showtime_id": 1, "seat_ids": [1]}'],
      ['application/json; charset=utf-16', '{"showtime_id": 1, "seat_ids": [1]}'],
    ])('%s', async (type, raw) => {
      const before = await reservationCount();
      expectError(await api.post('/reservations', undefined, { token: user.token, raw, headers: { 'content-type': type } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(await reservationCount()).toBe(before);
    });

    it('a body without any content type', async () => {
      const res = await rawRequest('POST', '/api/v1/auth/login', { 'content-length': '2' }, (req) => req.write('{}'));
      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    });

    it('accepts application/json with charset utf-8 and +json types', async () => {
      for (const type of ['application/json; charset=utf-8', 'application/json;charset=UTF-8', 'application/merge-patch+json']) {
        expectError(await api.post('/auth/login', undefined, { raw: '{}', headers: { 'content-type': type } }), 422, 'VALIDATION_ERROR');
      }
    });
  });

  describe('malformed and deep JSON: 400', () => {
    const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    it.each([
      ['truncated', '{"email": "a@example.test",'],
      ['a trailing comma', '{"email": "a@example.test",}'],
      ['single quotes', "{'email': 'a@example.test'}"],
      ['NaN', '{"showtime_id": NaN}'],
      ['a comment', '{"a": 1 /* x */}'],
      ['nested 33 deep', nested(33)],
      ['arrays nested 30000 deep', '['.repeat(30_000) + ']'.repeat(30_000)],
    ])('%s', async (_name, raw) => {
      expectError(await api.post('/auth/login', undefined, { raw }), 400, 'MALFORMED_JSON');
    });

    it('accepts nesting up to the limit (then validates it)', async () => {
      expectError(await api.post('/auth/login', undefined, { raw: nested(31) }), 422, 'VALIDATION_ERROR');
    });

    it('refuses bytes that are not UTF-8, and accepts a byte-order mark', async () => {
      const res = await rawRequest('POST', '/api/v1/auth/login', { 'content-type': 'application/json' }, (req) => req.write(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'MALFORMED_JSON' });
      expectError(await api.post('/auth/login', undefined, { raw: '\ufeff{}' }), 422, 'VALIDATION_ERROR');
    });

    it('takes no prototype from __proto__ keys', async () => {
      const email = `proto-${uniqueToken()}@example.test`;
      const raw = `{"name":"P","email":"${email}","password":"long enough pw","__proto__":{"role":"admin"},"constructor":{"prototype":{"role":"admin"}}}`;
      const res = await api.post('/auth/user/signup', undefined, { raw });
      expect(res.status).toBe(201);
      expect(res.body.user.role).toBe('user');
      expect(({} as { role?: unknown }).role).toBeUndefined();
    });
  });

  describe('Unicode edge cases', () => {
    it('refuses NUL and unpaired surrogates in stored text with 422, changing nothing', async () => {
      const movies = await movieCount();
      for (const title of ['Nul\u0000Title', 'Lone \ud800 high', 'Lone \udc00 low']) {
        const res = await api.post('/movies', { title, duration_minutes: 90 }, { token: admin.token });
        expectError(res, 422, 'VALIDATION_ERROR');
        expect(res.body.errors[0]).toMatchObject({ location: 'body', field: 'title' });
      }
      expect(await movieCount()).toBe(movies);
      const name = await api.post('/auth/user/signup', { name: 'Eve\u0000', email: `nul-${uniqueToken()}@example.test`, password: 'long enough pw' });
      expectError(name, 422, 'VALIDATION_ERROR');
      expectError(await api.get('/movies?q=%00'), 422, 'VALIDATION_ERROR');
      expectError(await api.get('/movies?genre=a%00b'), 422, 'VALIDATION_ERROR');
    });

    it('stores right-to-left marks, combining characters, emoji and astral characters exactly as sent', async () => {
      const title = `Exe\u202Egnp.txt \u200F\u05E9\u05DC\u05D5\u05DD e\u0301 \u{1F3AC}\u{20000} ${uniqueToken()}`;
      const created = await api.post('/movies', { title, duration_minutes: 90, genre: '\u0130\u00DF' }, { token: admin.token });
      expect(created.status).toBe(201);
      const read = await api.get(`/movies/${created.body.id}`);
      expect(read.body).toMatchObject({ title, genre: '\u0130\u00DF' });
      const found = await api.get(`/movies?q=${encodeURIComponent(title.slice(-12))}`);
      expect(found.body.items.map((m: { id: number }) => m.id)).toEqual([created.body.id]);
    });

    it('a reservation cancel reason or payment method with NUL is a 422, not a workflow stuck retrying', async () => {
      const show = await createShowtime(stack.knex);
      const hold = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: user.token });
      expect(hold.status).toBe(201);
      const started = Date.now();
      expectError(await api.post(`/reservations/${hold.body.id}/cancel`, { reason: 'changed\u0000my mind' }, { token: user.token }), 422, 'VALIDATION_ERROR');
      expectError(await api.post(`/reservations/${hold.body.id}/confirm`, { payment_method: 'pm_card_visa\u0000' }, { token: user.token }), 422, 'VALIDATION_ERROR');
      expectError(await api.post(`/reservations/${hold.body.id}/cancel`, { reason: 'lone \udfff' }, { token: user.token }), 422, 'VALIDATION_ERROR');
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((await api.get(`/reservations/${hold.body.id}`, { token: user.token })).body).toMatchObject({ status: 'held', payment_id: null });
      // The reservation still works normally afterwards.
      const cancelled = await api.post(`/reservations/${hold.body.id}/cancel`, { reason: '\u202Eright to left' }, { token: user.token });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.cancel_reason).toBe('\u202Eright to left');
    });

    it('an Idempotency-Key outside printable ASCII is a 422 on the header', async () => {
      const res = await api.post('/reservations', { showtime_id: 1, seat_ids: [1] }, { token: user.token, headers: { 'idempotency-key': 'caf\u00e9' } });
      expectError(res, 422, 'VALIDATION_ERROR');
      expect(res.body.errors[0]).toMatchObject({ location: 'header' });
    });
  });

  describe('numbers: overflow, negative, fractional, not plain digits', () => {
    it.each([
      ['1e3', '/movies/1e3'],
      ['hex', '/showtimes/0x10'],
      ['a sign', '/movies/+1'],
      ['a leading space', '/movies/%201'],
      ['negative', '/movies/-1'],
      ['fractional', '/showtimes/1.5'],
      ['zero', '/auditoriums/0'],
      ['past int4', '/movies/2147483648'],
      ['huge', `/movies/${'9'.repeat(400)}`],
      ['Infinity', '/showtimes/Infinity'],
      ['NUL', '/movies/%00'],
      ['arabic-indic digits', '/movies/%D9%A1%D9%A2'],
      ['fullwidth digits', '/showtimes/%EF%BC%91'],
    ])('a path id that is %s is a 422 naming it', async (_name, path) => {
      const res = await api.get(path);
      expectError(res, 422, 'VALIDATION_ERROR');
      expect(res.body.errors[0]).toMatchObject({ location: 'path', field: 'id' });
    });

    it.each([
      ['page=1e3', 'page'],
      ['page=1&page=2', 'page'],
      ['page_size=1e2', 'page_size'],
      ['page=99999999999999999999', 'page'],
      ['page=%2B1', 'page'],
      ['page=0x1', 'page'],
      ['movie_id=1e3', 'movie_id'],
      ['movie_id=1&movie_id=2', 'movie_id'],
      ['auditorium_id=-1', 'auditorium_id'],
      ['auditorium_id=1.0', 'auditorium_id'],
    ])('?%s is a 422 on %s', async (query, field) => {
      const res = await api.get(`/showtimes?${query}`);
      expectError(res, 422, 'VALIDATION_ERROR');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ location: 'query', field })]));
    });

    it('says so when a query parameter is given twice', async () => {
      const res = await api.get('/movies?page=1&page=2');
      expect(res.body.errors[0]).toMatchObject({ field: 'page', message: 'must be given only once' });
      expect((await api.get('/movies?page=001&page_size=02')).body).toMatchObject({ page: 1, page_size: 2 });
    });

    it.each([
      ['a showtime_id past int4', { showtime_id: 2 ** 31, seat_ids: [1] }, 'showtime_id'],
      ['a showtime_id of 1e308', { showtime_id: 1e308, seat_ids: [1] }, 'showtime_id'],
      ['a negative zero', { showtime_id: -0, seat_ids: [1] }, 'showtime_id'],
      ['a seat id past 2^53', { showtime_id: 1, seat_ids: [2 ** 53 + 2] }, 'seat_ids.0'],
      ['a fractional seat id', { showtime_id: 1, seat_ids: [1.0000001] }, 'seat_ids.0'],
    ])('a body with %s is a 422 and holds nothing', async (_name, body, field) => {
      const before = await reservationCount();
      const res = await api.post('/reservations', body, { token: user.token });
      expectError(res, 422, 'VALIDATION_ERROR');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(await reservationCount()).toBe(before);
    });

    it('a JSON number too large for a double is a 422, not Infinity in the database', async () => {
      const res = await api.post('/movies', undefined, { token: admin.token, raw: '{"title":"Overflow","duration_minutes":1e400}' });
      expectError(res, 422, 'VALIDATION_ERROR');
      expectError(await api.post('/showtimes', { movie_id: 1, auditorium_id: 1, starts_at: new Date(Date.now() + 86_400_000).toISOString(), base_price: '99999999999.99' }, { token: admin.token }), 422, 'VALIDATION_ERROR');
    });
  });

  describe('SQL-looking strings', () => {
    const sqlish = ["' OR 1=1 --", "'; DROP TABLE movies; --", '" OR ""="', '1; SELECT pg_sleep(5)', "%' AND 1=(SELECT COUNT(*) FROM users) AND '%'='", '\\', '%', '_', "admin'--"];

    it('GET /movies?q= and ?genre= match them literally (and quickly), changing nothing', async () => {
      const token = uniqueToken();
      const literal = await api.post('/movies', { title: `100% _real_ ' OR 1=1 -- ${token}`, duration_minutes: 90, genre: "' OR 1=1 --" }, { token: admin.token });
      expect(literal.status).toBe(201);
      const movies = Number((await stack.knex('movies').count({ c: '*' }))[0].c);
      for (const q of sqlish) {
        const started = Date.now();
        const res = await api.get(`/movies?q=${encodeURIComponent(q + ' ' + token)}&page_size=100`);
        expect(res.status).toBe(200);
        expect(Date.now() - started).toBeLessThan(3000);
        // Only the movie whose title really contains the text; never "everything".
        const expected = `100% _real_ ' OR 1=1 -- ${token}`.toLowerCase().includes(`${q} ${token}`.toLowerCase()) ? [literal.body.id] : [];
        expect(res.body.items.map((m: { id: number }) => m.id)).toEqual(expected);
        const byGenre = await api.get(`/movies?genre=${encodeURIComponent(q)}&page_size=100`);
        expect(byGenre.status).toBe(200);
        for (const m of byGenre.body.items) expect(m.genre.toLowerCase()).toBe(q.toLowerCase());
      }
      expect((await api.get(`/movies?q=${encodeURIComponent(`' OR 1=1 -- ${token}`)}`)).body.items).toHaveLength(1);
      expect((await api.get(`/movies?q=${encodeURIComponent(`% ${token}`)}`)).body.items).toHaveLength(0);
      expect(Number((await stack.knex('movies').count({ c: '*' }))[0].c)).toBe(movies);
    });

    it('in ids, logins and other fields they are refused or matched literally', async () => {
      for (const q of sqlish) {
        const path = await api.get(`/movies/${encodeURIComponent(q)}`);
        expectError(path, 422, 'VALIDATION_ERROR');
        expectError(await api.get(`/reservations/${encodeURIComponent(q)}`, { token: user.token }), 404, 'RESERVATION_NOT_FOUND');
        const login = await api.post('/auth/login', { email: q, password: q });
        expect([401, 422]).toContain(login.status);
        expect(errorShapeProblem(login)).toBeNull();
        expectError(await api.get(`/reservations?status=${encodeURIComponent(q)}`, { token: user.token }), 422, 'VALIDATION_ERROR');
      }
      expect(await stack.knex.schema.hasTable('movies')).toBe(true);
    });
  });

  describe('methods the router does not know', () => {
    it('answer in the API shape, not with a 500', async () => {
      const unknown = await rawRequest('PROPFIND', '/api/v1/movies', {});
      expect(unknown.status).toBe(501);
      expect(unknown.body).toEqual({ detail: expect.any(String), code: 'NOT_IMPLEMENTED' });
      const wrong = await api.request('PUT', '/movies/1', {}, { token: admin.token });
      expectError(wrong, 405, 'METHOD_NOT_ALLOWED');
    });
  });
});

/**
 * Postgres errors that reach the error middleware untranslated (a raw knex query, not Objection):
 * real errors raised by the test's database, mapped by SQLSTATE class, never a 500 and never
 * the SQL text.
 */
describe('raw Postgres errors through knex', () => {
  let api: ApiClient;
  let server: http.Server;
  /** A pool of one connection that gives up waiting after 300 ms, to meet KnexTimeoutError. */
  let tiny: Knex;
  /** A pool pointed at a port where nothing listens. */
  let nowhere: Knex;

  // Registered before the stack's own hooks, so it runs before the stack closes.
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await tiny?.destroy();
    await nowhere?.destroy();
  });
  const { stack } = useTestStack({ worker: false });
  beforeAll(async () => {
    const knex = stack.knex;
    tiny = knexFactory({ client: 'pg', connection: stack.config.databaseUrl, pool: { min: 0, max: 1 }, acquireConnectionTimeout: 300 });
    nowhere = knexFactory({ client: 'pg', connection: `postgres://postgres@127.0.0.1:${await freePort()}/none`, pool: { min: 0, max: 1 }, acquireConnectionTimeout: 3000 });
    const quiet = { warn: () => undefined };
    for (const k of [tiny, nowhere]) Object.assign((k.client as { logger: object }).logger, quiet);
    const raise = (sqlstate: string) => knex.raw(`DO $$ BEGIN RAISE EXCEPTION 'raised for the test' USING ERRCODE = '${sqlstate}'; END $$`);
    const failing: Record<string, () => Promise<unknown>> = {
      nul: () => knex.raw('SELECT ?::text AS t', ['a\u0000b']),
      overflow: () => knex.raw('SELECT 2147483647::int + 1'),
      'bad-uuid': () => knex('reservations').where({ id: 'not-a-uuid' }).first(),
      'too-long': () => knex.raw(`SELECT 'abcd'::varchar(2)`).then(() => raise('22001')),
      unique: () => knex('users').insert([{ name: 'Dup', email: 'dup-raw@example.test', password_hash: 'x' }, { name: 'Dup', email: 'DUP-raw@example.test', password_hash: 'x' }]),
      'foreign-key': () => knex('seats').insert({ auditorium_id: 2_147_483_000, row: 'A', number: 1 }),
      check: () => knex('seats').insert({ auditorium_id: 2_147_483_000, row: 'A', number: -1 }),
      'not-null': () => knex('movies').insert({ title: null, duration_minutes: 10 }),
      exclusion: () => raise('23P01'),
      serialization: () => raise('40001'),
      deadlock: () => raise('40P01'),
      'lock-timeout': () => raise('55P03'),
      'admin-shutdown': () => raise('57P01'),
      'connection-failure': () => raise('08006'),
      'syntax-error': () => knex.raw('SELEC 1'),
      // What the drivers throw when the database goes away, not just its SQLSTATEs.
      'pool-timeout': async () => {
        const trx = await tiny.transaction();
        try {
          await tiny.raw('SELECT 1');
        } finally {
          await trx.rollback();
        }
      },
      'backend-terminated': async () => {
        // knex runs a query once it is awaited (or then-ed); the error is kept until the end.
        const sleeping = tiny.raw(`SELECT pg_sleep(10) /* terminate me */`).then(
          () => null,
          (err: unknown) => err,
        );
        await eventually(async () => {
          const { rows } = await knex.raw(`SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE query LIKE '%/* terminate me */' AND pid <> pg_backend_pid()`);
          return rows.length > 0;
        });
        const err = await sleeping;
        if (err) throw err;
      },
      'connection-lost': async () => {
        const client = new pg.Client({ connectionString: stack.config.databaseUrl });
        client.on('error', () => undefined);
        await client.connect();
        const running = client.query('SELECT pg_sleep(10)');
        setTimeout(() => (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy(), 100);
        try {
          await running;
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      refused: () => nowhere.raw('SELECT 1'),
    };
    const app = new Koa();
    app.use(errorMiddleware(pino({ level: 'silent' })));
    const router = new Router({ prefix: '/api/v1' });
    router.get('/fail/:kind', async (ctx) => {
      await failing[ctx.params.kind]();
      ctx.body = { ok: true };
    });
    app.use(router.routes());
    app.silent = true;
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    api = apiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });

  it.each([
    ['pool-timeout', 503, 'SERVICE_UNAVAILABLE'],
    ['backend-terminated', 503, 'SERVICE_UNAVAILABLE'],
    ['connection-lost', 503, 'SERVICE_UNAVAILABLE'],
    ['refused', 503, 'SERVICE_UNAVAILABLE'],
    ['nul', 422, 'INVALID_VALUE'],
    ['overflow', 422, 'INVALID_VALUE'],
    ['bad-uuid', 422, 'INVALID_VALUE'],
    ['too-long', 422, 'INVALID_VALUE'],
    ['unique', 409, 'CONFLICT'],
    ['foreign-key', 422, 'INVALID_REFERENCE'],
    ['check', 422, 'INVALID_VALUE'],
    ['not-null', 422, 'INVALID_VALUE'],
    ['exclusion', 409, 'CONFLICT'],
    ['serialization', 503, 'SERVICE_UNAVAILABLE'],
    ['deadlock', 503, 'SERVICE_UNAVAILABLE'],
    ['lock-timeout', 503, 'SERVICE_UNAVAILABLE'],
    ['admin-shutdown', 503, 'SERVICE_UNAVAILABLE'],
    ['connection-failure', 503, 'SERVICE_UNAVAILABLE'],
    ['syntax-error', 500, 'INTERNAL_ERROR'],
  ])('%s -> %i %s', async (kind, status, code) => {
    const res = await api.get(`/fail/${kind}`);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ detail: expect.any(String), code });
    expect(JSON.stringify(res.body)).not.toMatch(/SELEC|INSERT|insert into|raised for the test|varchar|int \+/i);
    if (status === 503) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
