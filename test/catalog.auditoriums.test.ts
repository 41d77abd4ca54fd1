import { countRows, postAuditorium, postMovie, postShowtime, uniqueToken } from './helpers/catalog';
import { createUser } from './helpers/factories';
import { useTestStack } from './helpers/stack';

describe('catalog: auditoriums', () => {
  let admin: string;
  let user: string;
  const { stack, api } = useTestStack();
  beforeAll(async () => {
    admin = (await createUser(stack.knex, stack.config.jwtSecret, 'admin')).token;
    user = (await createUser(stack.knex, stack.config.jwtSecret, 'user')).token;
  });

  const auditoriumsNamed = (name: string) => countRows(stack.knex, 'auditoriums', (q) => q.whereRaw('lower(name) = lower(?)', [name]));

  describe('POST /auditoriums', () => {
    it('creates the auditorium with its seats generated row by row: 201', async () => {
      const name = `Grand ${uniqueToken()}`;
      const res = await api.post(
        '/auditoriums',
        {
          name,
          rows: [
            { row: 'B', seats: 2, seat_type: 'premium', price_modifier: '2.5' },
            { row: 'a', seats: 3 },
            { row: 'AA', seats: 1, seat_type: 'wheelchair', price_modifier: '-1.00' },
          ],
        },
        { token: admin },
      );
      expect(res.status).toBe(201);
      expect(res.headers.get('location')).toBe(`/api/v1/auditoriums/${res.body.id}`);
      expect(res.body).toMatchObject({ id: expect.any(Number), name, seat_count: 6, active_seat_count: 6 });
      // Reading order: A..Z before AA, numbered from 1 in each row; row labels upper-cased.
      expect(res.body.seats.map((s: { label: string }) => s.label)).toEqual(['A1', 'A2', 'A3', 'B1', 'B2', 'AA1']);
      expect(res.body.seats[0]).toEqual({ id: expect.any(Number), row: 'A', number: 1, label: 'A1', seat_type: 'regular', price_modifier: '0.00', is_active: true });
      expect(res.body.seats[3]).toMatchObject({ label: 'B1', seat_type: 'premium', price_modifier: '2.50' });
      expect(res.body.seats[5]).toMatchObject({ label: 'AA1', seat_type: 'wheelchair', price_modifier: '-1.00' });
      expect((await api.get(`/auditoriums/${res.body.id}`)).body).toEqual(res.body);
    });

    it('takes the largest allowed layout: 25 rows of 100 seats', async () => {
      const rows = Array.from({ length: 25 }, (_, i) => ({ row: String.fromCharCode(65 + i), seats: 100 }));
      const res = await api.post('/auditoriums', { name: `Huge ${uniqueToken()}`, rows }, { token: admin });
      expect(res.status).toBe(201);
      expect(res.body.seat_count).toBe(2500);
      expect(res.body.seats.at(-1).label).toBe('Y100');
    });

    const row = (r: string, seats = 10, extra: Record<string, unknown> = {}) => ({ row: r, seats, ...extra });
    it.each([
      ['no name', { rows: [row('A')] }, 'name'],
      ['a blank name', { name: ' ', rows: [row('A')] }, 'name'],
      ['a name with a NUL character', { name: 'Hall\u0000', rows: [row('A')] }, 'name'],
      ['no rows', { name: 'N' }, 'rows'],
      ['an empty row list', { name: 'N', rows: [] }, 'rows'],
      ['the same row twice (case-insensitive)', { name: 'N', rows: [row('A'), row('a')] }, 'rows.1.row'],
      ['a row label with a digit', { name: 'N', rows: [row('A1')] }, 'rows.0.row'],
      ['a row label of 4 letters', { name: 'N', rows: [row('ABCD')] }, 'rows.0.row'],
      ['an empty row label', { name: 'N', rows: [row('')] }, 'rows.0.row'],
      ['0 seats in a row', { name: 'N', rows: [row('A', 0)] }, 'rows.0.seats'],
      ['101 seats in a row', { name: 'N', rows: [row('A', 101)] }, 'rows.0.seats'],
      ['a fractional seat count', { name: 'N', rows: [row('A', 2.5)] }, 'rows.0.seats'],
      ['51 rows', { name: 'N', rows: Array.from({ length: 51 }, (_, i) => row(`A${String.fromCharCode(65 + (i % 26))}${i >= 26 ? 'B' : ''}`.replace(/^A/, ''), 1)) }, 'rows'],
      ['more than 2,500 seats', { name: 'N', rows: Array.from({ length: 26 }, (_, i) => row(String.fromCharCode(65 + i), 100)) }, 'rows'],
      ['an unknown seat type', { name: 'N', rows: [row('A', 1, { seat_type: 'vip' })] }, 'rows.0.seat_type'],
      ['a price modifier as a number', { name: 'N', rows: [row('A', 1, { price_modifier: 1.5 })] }, 'rows.0.price_modifier'],
      ['a price modifier with 3 decimals', { name: 'N', rows: [row('A', 1, { price_modifier: '1.505' })] }, 'rows.0.price_modifier'],
      ['a price modifier above 999.99', { name: 'N', rows: [row('A', 1, { price_modifier: '1000.00' })] }, 'rows.0.price_modifier'],
      ['a price modifier below -999.99', { name: 'N', rows: [row('A', 1, { price_modifier: '-1000' })] }, 'rows.0.price_modifier'],
    ])('refuses %s: 422 naming the field, nothing stored', async (_case, body, field) => {
      const name = `Invalid ${uniqueToken()}`;
      const res = await api.post('/auditoriums', { ...body, ...('name' in body && body.name === 'N' ? { name } : {}) }, { token: admin });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('VALIDATION_ERROR');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ location: 'body', field })]));
      expect(await auditoriumsNamed(name)).toBe(0);
    });

    it('accepts the extreme price modifiers', async () => {
      const res = await api.post(
        '/auditoriums',
        { name: `Edge ${uniqueToken()}`, rows: [row('A', 1, { price_modifier: '999.99' }), row('B', 1, { price_modifier: '-999.99' })] },
        { token: admin },
      );
      expect(res.status).toBe(201);
      expect(res.body.seats.map((s: { price_modifier: string }) => s.price_modifier)).toEqual(['999.99', '-999.99']);
    });

    it('refuses a name already taken (case-insensitive): 409 AUDITORIUM_NAME_TAKEN, no seats added', async () => {
      const existing = await postAuditorium(api, admin);
      const seatsBefore = await countRows(stack.knex, 'seats', (q) => q);
      const res = await api.post('/auditoriums', { name: existing.name.toUpperCase(), rows: [row('A', 5)] }, { token: admin });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ detail: expect.any(String), code: 'AUDITORIUM_NAME_TAKEN' });
      expect(await auditoriumsNamed(existing.name)).toBe(1);
      // Other test files add seats concurrently, so check this name's auditorium only.
      expect((await api.get(`/auditoriums/${existing.id}`)).body.seats).toHaveLength(8);
      expect(seatsBefore).toBeGreaterThan(0);
    });

    it('lets exactly one of two concurrent creations with one name through', async () => {
      const name = `Race ${uniqueToken()}`;
      const results = await Promise.all(Array.from({ length: 5 }, () => api.post('/auditoriums', { name, rows: [row('A', 3)] }, { token: admin })));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
      expect(await auditoriumsNamed(name)).toBe(1);
    });

    it('is for admins only', async () => {
      const name = `Nope ${uniqueToken()}`;
      expect((await api.post('/auditoriums', { name, rows: [row('A')] })).status).toBe(401);
      expect((await api.post('/auditoriums', { name, rows: [row('A')] }, { token: user })).status).toBe(403);
      expect(await auditoriumsNamed(name)).toBe(0);
    });
  });

  describe('GET /auditoriums and /auditoriums/:id', () => {
    it('lists auditoriums with seat counts, paginated, with the edges', async () => {
      const created = await postAuditorium(api, admin, [{ row: 'A', seats: 3 }]);
      const all = await api.get('/auditoriums?page_size=100');
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ page: 1, page_size: 100, total: expect.any(Number) });
      const total = all.body.total as number;
      expect(total).toBeGreaterThanOrEqual(1);
      const pages = Math.ceil(total / 100);
      // The new auditorium is on one of the pages (others are being added in parallel).
      const found = [];
      for (let page = 1; page <= pages + 1; page += 1) found.push(...(await api.get(`/auditoriums?page_size=100&page=${page}`)).body.items);
      expect(found.find((a: { id: number }) => a.id === created.id)).toEqual({
        id: created.id,
        name: created.name,
        seat_count: 3,
        active_seat_count: 3,
        focal_point: null,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      expect(found[0]).not.toHaveProperty('seats');
      const beyond = await api.get('/auditoriums?page=100000&page_size=100');
      expect(beyond.body).toMatchObject({ items: [], page: 100000, page_size: 100 });
      expect((await api.get('/auditoriums?page_size=1')).body.items).toHaveLength(1);
      for (const query of ['page_size=101', 'page=0']) expect((await api.get(`/auditoriums?${query}`)).status).toBe(422);
    });

    it('is 404 AUDITORIUM_NOT_FOUND for an unknown id, 422 for a malformed one', async () => {
      const res = await api.get('/auditoriums/2147483000');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: expect.any(String), code: 'AUDITORIUM_NOT_FOUND' });
      expect((await api.get('/auditoriums/x')).status).toBe(422);
    });
  });

  describe('PATCH /auditoriums/:id/seats/:seatId', () => {
    it('takes a broken seat out of service: not bookable, gone from the seat map, back when reactivated', async () => {
      const movie = await postMovie(api, admin);
      const auditorium = await postAuditorium(api, admin, [{ row: 'A', seats: 3 }]);
      const showtime = await postShowtime(api, admin, { movie_id: movie.id, auditorium_id: auditorium.id });
      const broken = auditorium.seats[1];

      const off = await api.patch(`/auditoriums/${auditorium.id}/seats/${broken.id}`, { is_active: false }, { token: admin });
      expect(off.status).toBe(200);
      expect(off.body).toEqual({ id: broken.id, row: 'A', number: 2, label: 'A2', seat_type: 'regular', price_modifier: '0.00', is_active: false });
      const shown = await api.get(`/auditoriums/${auditorium.id}`);
      expect(shown.body).toMatchObject({ seat_count: 3, active_seat_count: 2 });
      expect(shown.body.seats[1].is_active).toBe(false);

      const hold = await api.post('/reservations', { showtime_id: showtime.id, seat_ids: [broken.id] }, { token: user });
      expect(hold.status).toBe(422);
      expect(hold.body.code).toBe('SEAT_INACTIVE');
      const map = await api.get(`/showtimes/${showtime.id}/seats`);
      expect(map.body.seats.map((s: { label: string }) => s.label)).toEqual(['A1', 'A3']);
      expect(map.body.counts).toEqual({ available: 2, held: 0, booked: 0 });

      const on = await api.patch(`/auditoriums/${auditorium.id}/seats/${broken.id}`, { is_active: true }, { token: admin });
      expect(on.body.is_active).toBe(true);
      const again = await api.post('/reservations', { showtime_id: showtime.id, seat_ids: [broken.id] }, { token: user });
      expect(again.status).toBe(201);
      await api.post(`/reservations/${again.body.id}/cancel`, {}, { token: user });
    });

    it('changes the seat type and surcharge, which the seat map prices', async () => {
      const movie = await postMovie(api, admin);
      const auditorium = await postAuditorium(api, admin, [{ row: 'A', seats: 2 }]);
      const showtime = await postShowtime(api, admin, { movie_id: movie.id, auditorium_id: auditorium.id, base_price: '10.00' });
      const res = await api.patch(`/auditoriums/${auditorium.id}/seats/${auditorium.seats[0].id}`, { seat_type: 'premium', price_modifier: '4.25' }, { token: admin });
      expect(res.body).toMatchObject({ seat_type: 'premium', price_modifier: '4.25', is_active: true });
      const map = await api.get(`/showtimes/${showtime.id}/seats`);
      expect(map.body.seats[0]).toMatchObject({ seat_type: 'premium', price: '14.25' });
    });

    it('is 404 for a seat of another auditorium or an unknown auditorium, 422 for bad bodies, admin only', async () => {
      const a = await postAuditorium(api, admin, [{ row: 'A', seats: 1 }]);
      const b = await postAuditorium(api, admin, [{ row: 'A', seats: 1 }]);
      const seat = a.seats[0];
      const foreign = await api.patch(`/auditoriums/${b.id}/seats/${seat.id}`, { is_active: false }, { token: admin });
      expect(foreign.status).toBe(404);
      expect(foreign.body.code).toBe('SEAT_NOT_FOUND');
      expect((await api.patch(`/auditoriums/2147483000/seats/${seat.id}`, { is_active: false }, { token: admin })).body.code).toBe('AUDITORIUM_NOT_FOUND');
      for (const body of [{}, { is_active: 'no' }, { price_modifier: '1000' }, { seat_type: 'sofa' }]) {
        const res = await api.patch(`/auditoriums/${a.id}/seats/${seat.id}`, body, { token: admin });
        expect(res.status).toBe(422);
      }
      expect((await api.patch(`/auditoriums/${a.id}/seats/abc`, { is_active: false }, { token: admin })).status).toBe(422);
      expect((await api.patch(`/auditoriums/${a.id}/seats/${seat.id}`, { is_active: false })).status).toBe(401);
      expect((await api.patch(`/auditoriums/${a.id}/seats/${seat.id}`, { is_active: false }, { token: user })).status).toBe(403);
      expect((await api.get(`/auditoriums/${a.id}`)).body.seats[0]).toMatchObject({ is_active: true, price_modifier: '0.00', seat_type: 'regular' });
    });
  });
});
