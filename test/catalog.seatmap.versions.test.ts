import { createShowtime, createUser, insertReservation } from './helpers/factories';
import { useTestStack } from './helpers/stack';
import { SEAT_MAP_SQL } from '../src/catalog/showtimes/seatMap';

describe('catalog: seat map versions, ETag and seat state', () => {
  const { stack, api } = useTestStack({ worker: false });
  let userId: number;
  beforeAll(async () => {
    userId = (await createUser(stack.knex, stack.config.jwtSecret)).id;
  });


  it('answers an ETag that is the seat version, and 304 to If-None-Match until a seat changes', async () => {
    const st = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }] });
    const first = await api.get(`/showtimes/${st.id}/seats`);
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBe('"0"');

    const unchanged = await api.get(`/showtimes/${st.id}/seats`, { headers: { 'If-None-Match': '"0"' } });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('etag')).toBe('"0"');
    expect(await api.get(`/showtimes/${st.id}/seats`, { headers: { 'If-None-Match': 'W/"0", "7"' } })).toMatchObject({ status: 304 });

    await insertReservation(stack.knex, { showtimeId: st.id, userId, seatIds: [st.seats[0].id, st.seats[1].id], status: 'held' });
    const changed = await api.get(`/showtimes/${st.id}/seats`, { headers: { 'If-None-Match': '"0"' } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).toBe('"1"');
    expect(changed.body.counts).toEqual({ available: 2, held: 2, booked: 0 });
  });

  it('changes the ETag when the catalog changes the map (a seat out of service, the base price)', async () => {
    const admin = await createUser(stack.knex, stack.config.jwtSecret, 'admin');
    const st = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 2 }] });
    expect((await api.get(`/showtimes/${st.id}/seats`)).headers.get('etag')).toBe('"0"');
    expect((await api.patch(`/auditoriums/${st.auditorium.id}/seats/${st.seats[0].id}`, { price_modifier: '2.00' }, { token: admin.token })).status).toBe(200);
    const afterSeat = await api.get(`/showtimes/${st.id}/seats`, { headers: { 'If-None-Match': '"0"' } });
    expect(afterSeat.status).toBe(200);
    expect(afterSeat.headers.get('etag')).toBe('"1"');
    expect((await api.patch(`/showtimes/${st.id}`, { base_price: '11.00' }, { token: admin.token })).status).toBe(200);
    expect((await api.get(`/showtimes/${st.id}/seats`, { headers: { 'If-None-Match': '"1"' } })).headers.get('etag')).toBe('"2"');
  });

  it('answers 404 in the error shape for a missing showtime, with or without If-None-Match', async () => {
    for (const headers of [{}, { 'If-None-Match': '"0"' }] as Record<string, string>[]) {
      const res = await api.get('/showtimes/999999999/seats', { headers });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'SHOWTIME_NOT_FOUND', detail: expect.any(String) });
    }
  });

  it('keeps each seat state on reservation_seats for every writer: insert of a booking, confirm, release', async () => {
    const st = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }] });
    const [a, b, c] = st.seats.map((s) => s.id);
    await insertReservation(stack.knex, { showtimeId: st.id, userId, seatIds: [a], status: 'confirmed' });
    const held = await insertReservation(stack.knex, { showtimeId: st.id, userId, seatIds: [b, c], status: 'held' });
    const states = async () =>
      Object.fromEntries(
        (await stack.knex('reservation_seats').where({ showtime_id: st.id, is_active: true }).select('seat_id', 'state')).map((r: { seat_id: number; state: string }) => [r.seat_id, r.state]),
      );
    expect(await states()).toEqual({ [a]: 'booked', [b]: 'held', [c]: 'held' });

    // As the worker's confirmSeats activity writes it: only the reservation's status.
    await stack.knex('reservations').where({ id: held }).update({ status: 'confirmed' });
    expect(await states()).toEqual({ [a]: 'booked', [b]: 'booked', [c]: 'booked' });
    expect((await api.get(`/showtimes/${st.id}/seats`)).body.counts).toEqual({ available: 1, held: 0, booked: 3 });

    // As releaseSeats writes it.
    await stack.knex.transaction(async (trx) => {
      await trx('reservation_seats').where({ reservation_id: held }).update({ is_active: false });
      await trx('reservations').where({ id: held }).update({ status: 'cancelled' });
    });
    expect(await states()).toEqual({ [a]: 'booked' });
  });

  it('records one seat event per transaction and showtime, with the seats it changed as they were left at commit', async () => {
    const st = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }] });
    const [a, b] = st.seats.map((s) => s.id);
    const id = await insertReservation(stack.knex, { showtimeId: st.id, userId, seatIds: [a, b], status: 'held' });
    await stack.knex.transaction(async (trx) => {
      await trx('reservations').where({ id }).update({ status: 'confirmed' });
      await trx('reservation_seats').where({ reservation_id: id, seat_id: b }).update({ is_active: false });
    });
    const events = await stack.knex('seat_event_changes').where({ showtime_id: st.id }).orderBy(['version', 'seat_id']).select('version', 'seat_id', 'status');
    expect(events.map((e: { version: string; seat_id: number; status: string }) => [Number(e.version), e.seat_id, e.status])).toEqual([
      [1, a, 'held'],
      [1, b, 'held'],
      [2, a, 'booked'],
      [2, b, 'available'],
    ]);
  });

  it('plans the seat map without reading reservations, so fresh statistics do not matter', async () => {
    const { rows } = (await stack.knex.raw(`EXPLAIN ${SEAT_MAP_SQL}`, [1])) as { rows: { 'QUERY PLAN': string }[] };
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/reservation_seats/);
    expect(plan).not.toMatch(/ on reservations\b| reservations_pkey/);
  });
});
