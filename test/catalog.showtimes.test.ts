import { addMinutes, countRows, minutesFromNow, postAuditorium, postMovie, postShowtime, scheduledShowtime } from './helpers/catalog';
import { createUser } from './helpers/factories';
import { holdSeats, waitForStatus } from './helpers/reservations';
import { useTestStack } from './helpers/stack';

// Not the default 15, so the tests show the configured value is the one used.
const BUFFER = 20;

describe('catalog: showtimes', () => {
  let admin: string;
  let user: string;
  const { stack, api } = useTestStack({ env: { CLEANING_BUFFER_MINUTES: String(BUFFER) } });
  beforeAll(async () => {
    admin = (await createUser(stack.knex, stack.config.jwtSecret, 'admin')).token;
    user = (await createUser(stack.knex, stack.config.jwtSecret, 'user')).token;
  });

  const showtimesIn = (auditoriumId: number) => countRows(stack.knex, 'showtimes', (q) => q.where({ auditorium_id: auditoriumId, is_deleted: false }));

  async function movieAndAuditorium(duration = 100) {
    const movie = await postMovie(api, admin, { duration_minutes: duration });
    const auditorium = await postAuditorium(api, admin);
    return { movie, auditorium };
  }

  describe('POST /showtimes', () => {
    it('schedules a showtime: 201 with ends_at = starts_at + duration + cleaning buffer', async () => {
      const { movie, auditorium } = await movieAndAuditorium(97);
      const startsAt = minutesFromNow(2 * 24 * 60);
      // The same instant written with a +02:00 offset; the answer is in UTC.
      const withOffset = new Date(Date.parse(startsAt) + 2 * 3600_000).toISOString().replace('Z', '+02:00');
      const res = await api.post('/showtimes', { movie_id: movie.id, auditorium_id: auditorium.id, starts_at: withOffset, base_price: '12.5' }, { token: admin });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        movie_id: movie.id,
        auditorium_id: auditorium.id,
        starts_at: startsAt,
        ends_at: addMinutes(startsAt, 97 + BUFFER),
        base_price: '12.50',
        created_at: expect.any(String),
        updated_at: expect.any(String),
      });
      expect(res.headers.get('location')).toBe(`/api/v1/showtimes/${res.body.id}`);
      expect((await api.get(`/showtimes/${res.body.id}`)).body).toEqual(res.body);
    });

    it('refuses a start in the past: 422 SHOWTIME_IN_PAST naming starts_at, nothing stored', async () => {
      const { movie, auditorium } = await movieAndAuditorium();
      for (const startsAt of [minutesFromNow(-1), new Date(Date.now() - 1000).toISOString(), '2001-01-01T00:00:00Z']) {
        const res = await api.post('/showtimes', { movie_id: movie.id, auditorium_id: auditorium.id, starts_at: startsAt, base_price: '10.00' }, { token: admin });
        expect(res.status).toBe(422);
        expect(res.body).toMatchObject({ code: 'SHOWTIME_IN_PAST', errors: [{ location: 'body', field: 'starts_at' }] });
      }
      expect(await showtimesIn(auditorium.id)).toBe(0);
    });

    it('answers 404 for an unknown or deleted movie and an unknown auditorium', async () => {
      const { movie, auditorium } = await movieAndAuditorium();
      const base = { movie_id: movie.id, auditorium_id: auditorium.id, starts_at: minutesFromNow(60), base_price: '10.00' };
      const noMovie = await api.post('/showtimes', { ...base, movie_id: 2147483000 }, { token: admin });
      expect(noMovie.status).toBe(404);
      expect(noMovie.body).toEqual({ detail: expect.any(String), code: 'MOVIE_NOT_FOUND' });
      const noHall = await api.post('/showtimes', { ...base, auditorium_id: 2147483000 }, { token: admin });
      expect(noHall.status).toBe(404);
      expect(noHall.body.code).toBe('AUDITORIUM_NOT_FOUND');
      expect((await api.delete(`/movies/${movie.id}`, { token: admin })).status).toBe(204);
      expect((await api.post('/showtimes', base, { token: admin })).body.code).toBe('MOVIE_NOT_FOUND');
      expect(await showtimesIn(auditorium.id)).toBe(0);
    });

    it.each([
      ['a negative price', { base_price: '-0.01' }, 'base_price'],
      ['a price as a number', { base_price: 10 }, 'base_price'],
      ['a price that is not money', { base_price: 'ten' }, 'base_price'],
      ['a price too large', { base_price: '100000.00' }, 'base_price'],
      ['a start without offset', { starts_at: '2030-01-01T20:00:00' }, 'starts_at'],
      ['a start that is not a date', { starts_at: 'tomorrow' }, 'starts_at'],
      ['an impossible date', { starts_at: '2030-02-30T20:00:00Z' }, 'starts_at'],
      ['a start more than two years ahead (a typo in the year)', { starts_at: '9999-12-31T20:00:00Z' }, 'starts_at'],
      ['a movie id as a string', { movie_id: '1' }, 'movie_id'],
      ['a missing auditorium id', { auditorium_id: undefined }, 'auditorium_id'],
    ])('refuses %s: 422 VALIDATION_ERROR', async (_case, override, field) => {
      const { movie, auditorium } = await movieAndAuditorium();
      const body = { movie_id: movie.id, auditorium_id: auditorium.id, starts_at: minutesFromNow(60), base_price: '10.00', ...override };
      const res = await api.post('/showtimes', body, { token: admin });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('VALIDATION_ERROR');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ location: 'body', field })]));
      expect(await showtimesIn(auditorium.id)).toBe(0);
    });

    it('accepts a free showtime (base_price "0")', async () => {
      const { movie, auditorium } = await movieAndAuditorium();
      const show = await postShowtime(api, admin, { movie_id: movie.id, auditorium_id: auditorium.id, base_price: '0' });
      expect(show.base_price).toBe('0.00');
    });

    it('is for admins only', async () => {
      const { movie, auditorium } = await movieAndAuditorium();
      const body = { movie_id: movie.id, auditorium_id: auditorium.id, starts_at: minutesFromNow(60), base_price: '10.00' };
      expect((await api.post('/showtimes', body)).status).toBe(401);
      expect((await api.post('/showtimes', body, { token: user })).status).toBe(403);
      expect(await showtimesIn(auditorium.id)).toBe(0);
    });
  });

  describe('overlaps', () => {
    it('refuses an overlap in the same auditorium, cleaning buffer included: 422 SHOWTIME_OVERLAP', async () => {
      const { movie, auditorium } = await movieAndAuditorium(100);
      const first = await postShowtime(api, admin, { movie_id: movie.id, auditorium_id: auditorium.id, starts_at: minutesFromNow(24 * 60) });
      const cases = [first.starts_at, addMinutes(first.starts_at, -99), addMinutes(first.starts_at, 100 + BUFFER - 1), addMinutes(first.starts_at, 105)];
      for (const startsAt of cases) {
        const res = await api.post('/showtimes', { movie_id: movie.id, auditorium_id: auditorium.id, starts_at: startsAt, base_price: '10.00' }, { token: admin });
        expect(res.status).toBe(422);
        expect(res.body).toEqual({ detail: expect.stringContaining(`showtime ${first.id}`), code: 'SHOWTIME_OVERLAP', conflicting_showtime_id: first.id });
      }
      expect(await showtimesIn(auditorium.id)).toBe(1);
      // Back to back is fine: the next show may start the moment cleaning ends, or end as this one starts.
      await postShowtime(api, admin, { movie_id: movie.id, auditorium_id: auditorium.id, starts_at: first.ends_at });
      await postShowtime(api, admin, { movie_id: movie.id, auditorium_id: auditorium.id, starts_at: addMinutes(first.starts_at, -(100 + BUFFER)) });
      // The same time in another auditorium is fine too.
      const elsewhere = await postAuditorium(api, admin);
      await postShowtime(api, admin, { movie_id: movie.id, auditorium_id: elsewhere.id, starts_at: first.starts_at });
      expect(await showtimesIn(auditorium.id)).toBe(3);
    });

    it('lets exactly one of 10 simultaneous creations for one slot through; the rest get SHOWTIME_OVERLAP', async () => {
      const { movie, auditorium } = await movieAndAuditorium(120);
      const startsAt = minutesFromNow(3 * 24 * 60);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          api.post('/showtimes', { movie_id: movie.id, auditorium_id: auditorium.id, starts_at: addMinutes(startsAt, i * 5), base_price: '10.00' }, { token: admin }),
        ),
      );
      const created = results.filter((r) => r.status === 201);
      expect(created).toHaveLength(1);
      const refused = results.filter((r) => r.status !== 201);
      expect(refused.map((r) => r.status)).toEqual(Array(9).fill(422));
      for (const r of refused) expect(r.body).toMatchObject({ code: 'SHOWTIME_OVERLAP', conflicting_showtime_id: created[0].body.id });
      expect(await showtimesIn(auditorium.id)).toBe(1);
    });
  });

  describe('GET /showtimes', () => {
    it('filters by movie, auditorium and a from/to window on starts_at, ordered by starts_at', async () => {
      const { movie, auditorium } = await movieAndAuditorium(60);
      const day = minutesFromNow(5 * 24 * 60);
      const times = [300, 0, 150, 450].map((m) => addMinutes(day, m));
      const ids: Record<string, number> = {};
      for (const t of times) ids[t] = (await postShowtime(api, admin, { movie_id: movie.id, auditorium_id: auditorium.id, starts_at: t })).id;
      const sorted = [...times].sort();

      const all = await api.get(`/showtimes?movie_id=${movie.id}`);
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ page: 1, page_size: 20, total: 4 });
      expect(all.body.items.map((s: { starts_at: string }) => s.starts_at)).toEqual(sorted);
      expect(all.body.items[0]).toMatchObject({ id: ids[sorted[0]], movie_id: movie.id, auditorium_id: auditorium.id, ends_at: addMinutes(sorted[0], 60 + BUFFER) });

      const windowed = await api.get(`/showtimes?movie_id=${movie.id}&from=${encodeURIComponent(addMinutes(day, 150))}&to=${encodeURIComponent(addMinutes(day, 450))}`);
      expect(windowed.body.items.map((s: { id: number }) => s.id)).toEqual([ids[addMinutes(day, 150)], ids[addMinutes(day, 300)]]);
      // An offset's unencoded "+" arrives as a space; it is read as the "+" it was meant to be.
      const local = new Date(Date.parse(addMinutes(day, 300)) + 3600_000).toISOString().replace('Z', '+01:00').replace('.000', '');
      const plus = await api.get(`/showtimes?movie_id=${movie.id}&from=${local}`);
      expect(plus.status).toBe(200);
      expect(plus.body.total).toBe(2);
      expect((await api.get(`/showtimes?auditorium_id=${auditorium.id}&page_size=1&page=2`)).body).toMatchObject({ total: 4, items: [{ id: ids[sorted[1]] }] });
      expect((await api.get(`/showtimes?movie_id=${movie.id}&page=5&page_size=1`)).body).toEqual({ items: [], page: 5, page_size: 1, total: 4 });
      expect((await api.get(`/showtimes?movie_id=${movie.id}&page_size=100`)).body.total).toBe(4);
    });

    it('hides deleted showtimes', async () => {
      const { movie, showtime } = await scheduledShowtime(api, admin);
      expect((await api.delete(`/showtimes/${showtime.id}`, { token: admin })).status).toBe(204);
      expect((await api.get(`/showtimes?movie_id=${movie.id}`)).body).toMatchObject({ items: [], total: 0 });
    });

    it.each([
      ['page_size=101', 'page_size'],
      ['page=0', 'page'],
      ['movie_id=abc', 'movie_id'],
      ['from=yesterday', 'from'],
      ['from=2030-01-01T10:00:00', 'from'],
      ['from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z', 'to'],
      ['from=2030-01-01T00:00:00Z&to=2030-01-01T00:00:00Z', 'to'],
      ['from=bad&to=2030-01-01T00:00:00Z', 'from'],
    ])('refuses ?%s with 422 naming %s', async (query, field) => {
      const res = await api.get(`/showtimes?${query}`);
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ location: 'query', field })]));
    });
  });

  describe('GET /showtimes/:id', () => {
    it('is 404 SHOWTIME_NOT_FOUND for unknown and deleted showtimes, 422 for a malformed id', async () => {
      const missing = await api.get('/showtimes/2147483000');
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ detail: expect.any(String), code: 'SHOWTIME_NOT_FOUND' });
      const { showtime } = await scheduledShowtime(api, admin);
      await api.delete(`/showtimes/${showtime.id}`, { token: admin });
      expect((await api.get(`/showtimes/${showtime.id}`)).status).toBe(404);
      expect((await api.get('/showtimes/abc')).status).toBe(422);
    });
  });

  describe('PATCH /showtimes/:id', () => {
    it('moves a showtime and re-computes ends_at; a price-only change keeps the schedule', async () => {
      const { showtime } = await scheduledShowtime(api, admin, { duration_minutes: 90 });
      const startsAt = addMinutes(showtime.starts_at, 60);
      const moved = await api.patch(`/showtimes/${showtime.id}`, { starts_at: startsAt }, { token: admin });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ id: showtime.id, starts_at: startsAt, ends_at: addMinutes(startsAt, 90 + BUFFER), base_price: '10.00' });
      const priced = await api.patch(`/showtimes/${showtime.id}`, { base_price: '11.75' }, { token: admin });
      expect(priced.body).toMatchObject({ starts_at: startsAt, ends_at: moved.body.ends_at, base_price: '11.75' });
    });

    it('applies at once to the next hold: a new price and an earlier start are not served from the hold path\'s showtime cache', async () => {
      const { showtime } = await scheduledShowtime(api, admin);
      const seatIds = ((await api.get(`/showtimes/${showtime.id}/seats`)).body.seats as { seat_id: number }[]).map((s) => s.seat_id);
      const buyer = await createUser(stack.knex, stack.config.jwtSecret);
      // A first hold reads (and caches) the showtime as it was.
      const before = await holdSeats(api, buyer.token, showtime.id, [seatIds[0]]);
      expect(before.seats[0].price).toBe('10.00');
      expect((await api.post(`/reservations/${before.id}/cancel`, undefined, { token: buyer.token })).status).toBe(200);

      const startsAt = minutesFromNow(3);
      const patched = await api.patch(`/showtimes/${showtime.id}`, { base_price: '12.00', starts_at: startsAt }, { token: admin });
      expect(patched.status).toBe(200);
      const after = await holdSeats(api, buyer.token, showtime.id, [seatIds[1]]);
      expect(after.seats[0].price).toBe('12.00');
      expect(after.total_price).toBe('12.00');
      // A hold ends at its show's start at the latest: the new start, not the old one.
      expect(Date.parse(after.expires_at)).toBeLessThanOrEqual(Date.parse(patched.body.starts_at));
      await api.post(`/reservations/${after.id}/cancel`, undefined, { token: buyer.token });
    });

    it('re-plans with the movie\'s current duration, or another movie\'s, when a schedule field is sent', async () => {
      const { movie, showtime } = await scheduledShowtime(api, admin, { duration_minutes: 90 });
      await api.patch(`/movies/${movie.id}`, { duration_minutes: 150 }, { token: admin });
      expect((await api.get(`/showtimes/${showtime.id}`)).body.ends_at).toBe(showtime.ends_at);
      const replanned = await api.patch(`/showtimes/${showtime.id}`, { starts_at: showtime.starts_at }, { token: admin });
      expect(replanned.body.ends_at).toBe(addMinutes(showtime.starts_at, 150 + BUFFER));
      const shorter = await postMovie(api, admin, { duration_minutes: 45 });
      const swapped = await api.patch(`/showtimes/${showtime.id}`, { movie_id: shorter.id }, { token: admin });
      expect(swapped.body).toMatchObject({ movie_id: shorter.id, ends_at: addMinutes(showtime.starts_at, 45 + BUFFER) });
    });

    it('refuses a move onto another showtime (422 SHOWTIME_OVERLAP) and into the past (422), changing nothing', async () => {
      const { movie, auditorium } = await movieAndAuditorium(100);
      const a = await postShowtime(api, admin, { movie_id: movie.id, auditorium_id: auditorium.id, starts_at: minutesFromNow(24 * 60) });
      const b = await postShowtime(api, admin, { movie_id: movie.id, auditorium_id: auditorium.id, starts_at: a.ends_at });
      const overlap = await api.patch(`/showtimes/${b.id}`, { starts_at: addMinutes(a.starts_at, 30) }, { token: admin });
      expect(overlap.status).toBe(422);
      expect(overlap.body).toMatchObject({ code: 'SHOWTIME_OVERLAP', conflicting_showtime_id: a.id });
      // A longer movie would run into the next show.
      const epic = await postMovie(api, admin, { duration_minutes: 200 });
      expect((await api.patch(`/showtimes/${a.id}`, { movie_id: epic.id }, { token: admin })).body.code).toBe('SHOWTIME_OVERLAP');
      const past = await api.patch(`/showtimes/${b.id}`, { starts_at: minutesFromNow(-30) }, { token: admin });
      expect(past.status).toBe(422);
      expect(past.body.code).toBe('SHOWTIME_IN_PAST');
      // Moving it within its own slot does not collide with itself.
      expect((await api.patch(`/showtimes/${b.id}`, { starts_at: addMinutes(b.starts_at, 10) }, { token: admin })).status).toBe(200);
      expect((await api.get(`/showtimes/${a.id}`)).body).toMatchObject({ movie_id: movie.id, ends_at: a.ends_at });
    });

    it('moves a showtime to another auditorium, and 404s for an unknown one', async () => {
      const { showtime } = await scheduledShowtime(api, admin);
      const other = await postAuditorium(api, admin);
      const moved = await api.patch(`/showtimes/${showtime.id}`, { auditorium_id: other.id }, { token: admin });
      expect(moved.body.auditorium_id).toBe(other.id);
      const missing = await api.patch(`/showtimes/${showtime.id}`, { auditorium_id: 2147483000 }, { token: admin });
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('AUDITORIUM_NOT_FOUND');
    });

    it('will not move a showtime people hold seats for (409 SHOWTIME_HAS_BOOKINGS), but lets its price change', async () => {
      const { showtime, auditorium } = await scheduledShowtime(api, admin);
      const hold = await api.post('/reservations', { showtime_id: showtime.id, seat_ids: [auditorium.seats[0].id] }, { token: user });
      expect(hold.status).toBe(201);
      const res = await api.patch(`/showtimes/${showtime.id}`, { starts_at: addMinutes(showtime.starts_at, 30) }, { token: admin });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'SHOWTIME_HAS_BOOKINGS', reservation_count: 1 });
      expect((await api.patch(`/showtimes/${showtime.id}`, { base_price: '9.00' }, { token: admin })).status).toBe(200);
      expect((await api.get(`/showtimes/${showtime.id}`)).body).toMatchObject({ starts_at: showtime.starts_at, base_price: '9.00' });
      await api.post(`/reservations/${hold.body.id}/cancel`, {}, { token: user });
    });

    it('validates like POST, is 404 for unknown showtimes and admin only', async () => {
      const { showtime } = await scheduledShowtime(api, admin);
      for (const body of [{}, { base_price: '-1' }, { starts_at: 'soon' }, { movie_id: 0 }]) {
        const res = await api.patch(`/showtimes/${showtime.id}`, body, { token: admin });
        expect(res.status).toBe(422);
        expect(res.body.code).toBe('VALIDATION_ERROR');
      }
      expect((await api.patch('/showtimes/2147483000', { base_price: '1.00' }, { token: admin })).body.code).toBe('SHOWTIME_NOT_FOUND');
      expect((await api.patch(`/showtimes/${showtime.id}`, { base_price: '1.00' })).status).toBe(401);
      expect((await api.patch(`/showtimes/${showtime.id}`, { base_price: '1.00' }, { token: user })).status).toBe(403);
      expect((await api.get(`/showtimes/${showtime.id}`)).body.base_price).toBe('10.00');
    });
  });

  describe('DELETE /showtimes/:id', () => {
    it('soft-deletes and frees the slot for a new showtime', async () => {
      const { movie, auditorium, showtime } = await scheduledShowtime(api, admin);
      const res = await api.delete(`/showtimes/${showtime.id}`, { token: admin });
      expect(res.status).toBe(204);
      expect((await api.delete(`/showtimes/${showtime.id}`, { token: admin })).status).toBe(404);
      expect((await api.get(`/showtimes/${showtime.id}/seats`)).status).toBe(404);
      expect(await stack.knex('showtimes').where({ id: showtime.id }).first('is_deleted')).toEqual({ is_deleted: true });
      await postShowtime(api, admin, { movie_id: movie.id, auditorium_id: auditorium.id, starts_at: showtime.starts_at });
    });

    it('refuses while a confirmed reservation exists: 409 SHOWTIME_HAS_BOOKINGS; allowed once it is cancelled', async () => {
      const { showtime, auditorium } = await scheduledShowtime(api, admin);
      const hold = await api.post('/reservations', { showtime_id: showtime.id, seat_ids: [auditorium.seats[0].id] }, { token: user });
      const confirmed = await api.post(`/reservations/${hold.body.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user });
      expect(confirmed.status).toBe(200);
      const res = await api.delete(`/showtimes/${showtime.id}`, { token: admin });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'SHOWTIME_HAS_BOOKINGS', detail: expect.any(String) });
      expect((await api.get(`/showtimes/${showtime.id}`)).status).toBe(200);

      expect((await api.post(`/reservations/${hold.body.id}/cancel`, {}, { token: user })).status).toBe(200);
      await waitForStatus(api, user, hold.body.id, 'cancelled');
      expect((await api.delete(`/showtimes/${showtime.id}`, { token: admin })).status).toBe(204);
    });

    it('refuses while a hold is open too (it may still be paid for)', async () => {
      const { showtime, auditorium } = await scheduledShowtime(api, admin);
      const hold = await api.post('/reservations', { showtime_id: showtime.id, seat_ids: [auditorium.seats[1].id] }, { token: user });
      expect((await api.delete(`/showtimes/${showtime.id}`, { token: admin })).body.code).toBe('SHOWTIME_HAS_BOOKINGS');
      await api.post(`/reservations/${hold.body.id}/cancel`, {}, { token: user });
    });

    it('is for admins only and 404 for unknown ids', async () => {
      const { showtime } = await scheduledShowtime(api, admin);
      expect((await api.delete(`/showtimes/${showtime.id}`)).status).toBe(401);
      expect((await api.delete(`/showtimes/${showtime.id}`, { token: user })).status).toBe(403);
      expect((await api.delete('/showtimes/2147483000', { token: admin })).body.code).toBe('SHOWTIME_NOT_FOUND');
      expect((await api.get(`/showtimes/${showtime.id}`)).status).toBe(200);
    });
  });
});

