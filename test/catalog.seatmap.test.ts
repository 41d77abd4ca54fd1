import { scheduledShowtime } from './helpers/catalog';
import { createShowtime, createUser, insertReservation } from './helpers/factories';
import { waitForStatus } from './helpers/reservations';
import { useTestStack } from './helpers/stack';

interface SeatMapSeat {
  seat_id: number;
  label: string;
  row: string;
  number: number;
  seat_type: string;
  price: string;
  status: 'available' | 'held' | 'booked';
}

describe('catalog: seat map', () => {
  let admin: string;
  const { stack, api } = useTestStack();
  beforeAll(async () => {
    admin = (await createUser(stack.knex, stack.config.jwtSecret, 'admin')).token;
  });

  const seatMap = async (showtimeId: number) => {
    const res = await api.get(`/showtimes/${showtimeId}/seats`);
    expect(res.status).toBe(200);
    return res.body as { showtime_id: number; seats: SeatMapSeat[]; counts: { available: number; held: number; booked: number } };
  };
  const statusOf = async (showtimeId: number, seatId: number) => (await seatMap(showtimeId)).seats.find((s) => s.seat_id === seatId)?.status;


  it('is public: every seat in reading order with its price (base + modifier), all available', async () => {
    const { showtime, auditorium } = await scheduledShowtime(api, admin, {
      base_price: '10.00',
      rows: [
        { row: 'B', seats: 2, seat_type: 'premium', price_modifier: '3.50' },
        { row: 'A', seats: 2, seat_type: 'wheelchair', price_modifier: '-2.00' },
        { row: 'AA', seats: 1, price_modifier: '-15.00' },
      ],
    });
    const map = await seatMap(showtime.id);
    const ids = new Map(auditorium.seats.map((s) => [s.label, s.id]));
    expect(map).toEqual({
      showtime_id: showtime.id,
      seats: [
        { seat_id: ids.get('A1'), label: 'A1', row: 'A', number: 1, seat_type: 'wheelchair', price: '8.00', status: 'available' },
        { seat_id: ids.get('A2'), label: 'A2', row: 'A', number: 2, seat_type: 'wheelchair', price: '8.00', status: 'available' },
        { seat_id: ids.get('B1'), label: 'B1', row: 'B', number: 1, seat_type: 'premium', price: '13.50', status: 'available' },
        { seat_id: ids.get('B2'), label: 'B2', row: 'B', number: 2, seat_type: 'premium', price: '13.50', status: 'available' },
        // A discount larger than the base price makes the seat free, never negative (as the hold path prices it).
        { seat_id: ids.get('AA1'), label: 'AA1', row: 'AA', number: 1, seat_type: 'regular', price: '0.00', status: 'available' },
      ],
      counts: { available: 5, held: 0, booked: 0 },
    });
  });

  it('is 404 SHOWTIME_NOT_FOUND for unknown and deleted showtimes, 422 for a malformed id', async () => {
    const missing = await api.get('/showtimes/2147483000/seats');
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: expect.any(String), code: 'SHOWTIME_NOT_FOUND' });
    expect((await api.get('/showtimes/nope/seats')).status).toBe(422);
    const { showtime } = await scheduledShowtime(api, admin);
    await api.delete(`/showtimes/${showtime.id}`, { token: admin });
    expect((await api.get(`/showtimes/${showtime.id}/seats`)).status).toBe(404);
  });

  it('follows the real reservation flow: held after POST /reservations, booked after confirm, available after cancel', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const { showtime, auditorium } = await scheduledShowtime(api, admin);
    const [seat, neighbour] = auditorium.seats;

    const hold = await api.post('/reservations', { showtime_id: showtime.id, seat_ids: [seat.id] }, { token: user.token });
    expect(hold.status).toBe(201);
    expect(await statusOf(showtime.id, seat.id)).toBe('held');
    expect(await statusOf(showtime.id, neighbour.id)).toBe('available');
    expect((await seatMap(showtime.id)).counts).toEqual({ available: auditorium.seats.length - 1, held: 1, booked: 0 });

    const confirm = await api.post(`/reservations/${hold.body.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(confirm.status).toBe(200);
    expect(await statusOf(showtime.id, seat.id)).toBe('booked');
    expect((await seatMap(showtime.id)).counts).toEqual({ available: auditorium.seats.length - 1, held: 0, booked: 1 });

    const cancel = await api.post(`/reservations/${hold.body.id}/cancel`, {}, { token: user.token });
    expect(cancel.status).toBe(200);
    await waitForStatus(api, user.token, hold.body.id, 'cancelled');
    expect(await statusOf(showtime.id, seat.id)).toBe('available');
    expect((await seatMap(showtime.id)).counts).toEqual({ available: auditorium.seats.length, held: 0, booked: 0 });
  });

  it('shows a cancelled hold as available again at once', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const { showtime, auditorium } = await scheduledShowtime(api, admin);
    const seatIds = auditorium.seats.slice(0, 3).map((s) => s.id);
    const hold = await api.post('/reservations', { showtime_id: showtime.id, seat_ids: seatIds }, { token: user.token });
    expect((await seatMap(showtime.id)).counts.held).toBe(3);
    await api.post(`/reservations/${hold.body.id}/cancel`, {}, { token: user.token });
    await waitForStatus(api, user.token, hold.body.id, 'cancelled');
    expect((await seatMap(showtime.id)).counts).toEqual({ available: auditorium.seats.length, held: 0, booked: 0 });
  });

  it('maps every reservation status: held/pending_payment -> held, confirmed/completed -> booked, released -> available', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 6 }] });
    const [s1, s2, s3, s4, s5, s6] = show.seats.map((s) => s.id);
    await insertReservation(stack.knex, { showtimeId: show.id, userId: user.id, seatIds: [s1], status: 'held' });
    await insertReservation(stack.knex, { showtimeId: show.id, userId: user.id, seatIds: [s2], status: 'pending_payment' });
    await insertReservation(stack.knex, { showtimeId: show.id, userId: user.id, seatIds: [s3], status: 'confirmed' });
    await insertReservation(stack.knex, { showtimeId: show.id, userId: user.id, seatIds: [s4], status: 'completed' });
    await insertReservation(stack.knex, { showtimeId: show.id, userId: user.id, seatIds: [s5], status: 'expired', seatsActive: false });
    await insertReservation(stack.knex, { showtimeId: show.id, userId: user.id, seatIds: [s6], status: 'cancelled', seatsActive: false });
    const map = await seatMap(show.id);
    expect(map.seats.map((s) => s.status)).toEqual(['held', 'held', 'booked', 'booked', 'available', 'available']);
    expect(map.counts).toEqual({ available: 2, held: 2, booked: 2 });
  });

  it('leaves out seats out of service, unless a reservation still owns one', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const { showtime, auditorium } = await scheduledShowtime(api, admin, { rows: [{ row: 'A', seats: 4 }] });
    const [a1, a2, a3] = auditorium.seats;
    const hold = await api.post('/reservations', { showtime_id: showtime.id, seat_ids: [a2.id] }, { token: user.token });
    expect((await api.post(`/reservations/${hold.body.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token })).status).toBe(200);
    for (const seat of [a1, a2]) {
      expect((await api.patch(`/auditoriums/${auditorium.id}/seats/${seat.id}`, { is_active: false }, { token: admin })).status).toBe(200);
    }
    const map = await seatMap(showtime.id);
    expect(map.seats.map((s) => [s.label, s.status])).toEqual([
      ['A2', 'booked'],
      ['A3', 'available'],
      ['A4', 'available'],
    ]);
    expect(map.counts).toEqual({ available: 2, held: 0, booked: 1 });
    expect(map.seats.some((s) => s.seat_id === a3.id)).toBe(true);
  });

  it('keeps the showtimes of one auditorium apart', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const { showtime, auditorium, movie } = await scheduledShowtime(api, admin, { rows: [{ row: 'A', seats: 2 }] });
    const later = await api.post(
      '/showtimes',
      { movie_id: movie.id, auditorium_id: auditorium.id, starts_at: showtime.ends_at, base_price: '10.00' },
      { token: admin },
    );
    await api.post('/reservations', { showtime_id: showtime.id, seat_ids: [auditorium.seats[0].id] }, { token: user.token });
    expect((await seatMap(showtime.id)).counts).toEqual({ available: 1, held: 1, booked: 0 });
    expect((await seatMap(later.body.id)).counts).toEqual({ available: 2, held: 0, booked: 0 });
  });

  it.each([
    ['a 600-seat auditorium, 90% sold', 20, 30],
    ['a 2,000-seat auditorium, 90% sold', 40, 50],
  ])('stays fast for %s', async (_case, rowCount, perRow) => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const rows = Array.from({ length: rowCount }, (_, i) => ({ row: i < 26 ? String.fromCharCode(65 + i) : `A${String.fromCharCode(65 + i - 26)}`, seats: perRow }));
    const show = await createShowtime(stack.knex, { rows });
    const total = rowCount * perRow;
    const sold = Math.floor(total * 0.9);
    // Reservations of 4 seats; every tenth one still a hold.
    for (let i = 0, n = 0; i < sold; i += 4, n += 1) {
      const seatIds = show.seats.slice(i, Math.min(i + 4, sold)).map((s) => s.id);
      await insertReservation(stack.knex, { showtimeId: show.id, userId: user.id, seatIds: seatIds, status: n % 10 === 0 ? 'held' : 'confirmed' });
    }
    await stack.knex.raw('ANALYZE seats, reservations, reservation_seats');
    const heldSeats = Number(
      (
        await stack.knex('reservation_seats as rs').join('reservations as r', 'r.id', 'rs.reservation_id').where({ 'rs.showtime_id': show.id, 'r.status': 'held' }).count({ count: '*' })
      )[0].count,
    );

    await seatMap(show.id); // warm up
    const started = performance.now();
    const map = await seatMap(show.id);
    const elapsed = performance.now() - started;
    expect(map.seats).toHaveLength(total);
    expect(map.counts).toEqual({ available: total - sold, held: heldSeats, booked: sold - heldSeats });
    expect(elapsed).toBeLessThan(500);
  });
});
