import { randomUUID } from 'node:crypto';
import { createShowtime, createUser, insertReservation } from './helpers/factories';
import { apiClient } from './helpers/http';
import { activeSeatIds, holdSeats, waitForStatus } from './helpers/reservations';
import { useTestStack } from './helpers/stack';
import { withUnreachableTemporal } from './helpers/unreachableTemporal';

interface Entry {
  id: number;
  event: string;
  at: string;
  reservation_id: string;
  user_id: number;
  actor_id: number | null;
  reason: string | null;
  cancel_reason: string | null;
}

/** Seat history (issue 19, part 5) over HTTP, on the real dev server and Postgres. */
describe('seat history', () => {
  const { stack, api } = useTestStack({ env: { HOLD_TTL_SECONDS: '600', CANCELLATION_CUTOFF_MINUTES: '0', DOORS_OPEN_MINUTES: '60' } });
  let staff: Awaited<ReturnType<typeof createUser>>;
  let admin: Awaited<ReturnType<typeof createUser>>;
  beforeAll(async () => {
    staff = await createUser(stack.knex, stack.config.jwtSecret, 'staff');
    admin = await createUser(stack.knex, stack.config.jwtSecret, 'admin');
  });

  /** A showtime in 30 minutes (the doors are open), seats A1..A4. */
  const newShowtime = () => createShowtime(stack.knex, { startsInMinutes: 30, rows: [{ row: 'A', seats: 4 }] });
  const historyOf = (showtimeId: number, seatId: number, query = '', token = staff.token) =>
    api.get(`/showtimes/${showtimeId}/seats/${seatId}/history${query}`, { token });
  async function entriesOf(showtimeId: number, seatId: number): Promise<Entry[]> {
    const res = await historyOf(showtimeId, seatId, '?page_size=100');
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(res.body.items.length);
    return res.body.items;
  }
  /** The fields that say what happened, for comparing whole histories. */
  const summary = (entries: Entry[]) => entries.map((e) => [e.event, e.reservation_id, e.user_id, e.actor_id, e.reason]);

  it('lists the holds, booking, check-in, expiry and cancellation of each seat, oldest first, with who and which reservation', async () => {
    const show = await newShowtime();
    const [a1, a2, a3] = show.seats.map((s) => s.id);
    const [alice, bob, carol] = await Promise.all([1, 2, 3].map(() => createUser(stack.knex, stack.config.jwtSecret)));

    // A1 and A2: held, booked; A1's ticket is admitted at the door.
    const booking = await holdSeats(api, alice.token, show.id, [a1, a2]);
    const confirmed = await api.post(`/reservations/${booking.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: alice.token });
    expect(confirmed.body.status).toBe('confirmed');
    const tickets = await api.get(`/reservations/${booking.id}/tickets`, { token: alice.token });
    const ticketA1 = (tickets.body.tickets as { seat_label: string; secret: string }[]).find((t) => t.seat_label === 'A1');
    const scan = await api.post('/checkin', { secret: ticketA1?.secret, showtime_id: show.id, gate: 'North', nonce: randomUUID() }, { token: staff.token });
    expect(scan.body.result).toBe('ok');

    // A3: Bob's short hold expires; Carol holds it and cancels.
    const shortHolds = await stack.startExtraApi({ holdTtlSeconds: 2 });
    let bobsHold: { id: string };
    try {
      bobsHold = await holdSeats(apiClient(shortHolds.baseUrl), bob.token, show.id, [a3]);
    } finally {
      await shortHolds.close();
    }
    await waitForStatus(api, bob.token, bobsHold.id, 'expired', 60_000);
    const carolsHold = await holdSeats(api, carol.token, show.id, [a3]);
    expect((await api.post(`/reservations/${carolsHold.id}/cancel`, {}, { token: carol.token })).body.status).toBe('cancelled');

    const a1History = await entriesOf(show.id, a1);
    expect(summary(a1History)).toEqual([
      ['held', booking.id, alice.id, null, null],
      ['booked', booking.id, alice.id, null, null],
      ['checked_in', booking.id, alice.id, staff.id, null],
    ]);
    expect(a1History[2].at).toBe(scan.body.checked_in_at);
    expect(summary(await entriesOf(show.id, a2))).toEqual([
      ['held', booking.id, alice.id, null, null],
      ['booked', booking.id, alice.id, null, null],
    ]);
    const a3History = await entriesOf(show.id, a3);
    expect(summary(a3History)).toEqual([
      ['held', bobsHold.id, bob.id, null, null],
      ['released', bobsHold.id, bob.id, null, 'expired'],
      ['held', carolsHold.id, carol.id, null, null],
      ['released', carolsHold.id, carol.id, null, 'cancelled'],
    ]);
    expect(a3History.map((e) => e.cancel_reason)).toEqual([null, null, null, 'cancelled by user']);
    // Oldest first, by time as well as by id.
    for (const history of [a1History.slice(0, 2), a3History]) {
      const times = history.map((e) => Date.parse(e.at));
      expect([...times].sort((x, y) => x - y)).toEqual(times);
      const ids = history.map((e) => e.id);
      expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    }
    // A seat nobody touched has an empty history; admins read it too.
    const untouched = await historyOf(show.id, show.seats[3].id, '', admin.token);
    expect(untouched.status).toBe(200);
    expect(untouched.body).toEqual({ items: [], page: 1, page_size: 20, total: 0 });

    // Paginated as every list: the total stays, the page moves.
    const second = await historyOf(show.id, a3, '?page=2&page_size=3');
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ page: 2, page_size: 3, total: 4 });
    expect(second.body.items).toEqual(a3History.slice(3));
  }, 120_000);

  it('lists an earlier offline admission uploaded after an online one as a second check-in, by its scanner, at its scan time', async () => {
    const show = await newShowtime();
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const booking = await holdSeats(api, user.token, show.id, [show.seats[0].id]);
    expect((await api.post(`/reservations/${booking.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token })).body.status).toBe('confirmed');
    const [ticket] = (await api.get(`/reservations/${booking.id}/tickets`, { token: user.token })).body.tickets as { secret: string }[];
    const online = await api.post('/checkin', { secret: ticket.secret, nonce: randomUUID() }, { token: staff.token });
    expect(online.body.result).toBe('ok');
    const scannedAt = new Date(Date.now() - 60_000).toISOString();
    const upload = await api.post('/checkin/batch', { showtime_id: show.id, scans: [{ secret: ticket.secret, nonce: randomUUID(), scanned_at: scannedAt }] }, { token: admin.token });
    expect(upload.body.results[0].displaced).toBeTruthy();

    const history = await entriesOf(show.id, show.seats[0].id);
    expect(history.map((e) => [e.event, e.actor_id, e.at])).toEqual([
      ['held', null, expect.any(String)],
      ['booked', null, expect.any(String)],
      ['checked_in', staff.id, online.body.checked_in_at],
      ['checked_in', admin.id, scannedAt],
    ]);
  }, 60_000);

  it('keeps no entry of a hold that rolled back', async () => {
    const show = await newShowtime();
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    // An API whose Temporal is unreachable: its hold inserts the seats, fails to start the workflow and rolls back.
    await withUnreachableTemporal(stack, async (broken) => {
      const res = await broken.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id, show.seats[1].id] }, { token: user.token });
      expect(res.status).toBe(503);
    });
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
    expect((await historyOf(show.id, show.seats[0].id)).body).toMatchObject({ items: [], total: 0 });
    expect(await stack.knex('seat_history').where({ showtime_id: show.id }).count({ n: '*' })).toEqual([{ n: 0 }]);

    // The same at the database: the entry exists inside the hold's transaction and goes with it.
    await stack.knex
      .transaction(async (trx) => {
        const id = randomUUID();
        await trx('reservations').insert({ id, user_id: user.id, showtime_id: show.id, total_price: '10.00', hold_expires_at: new Date(Date.now() + 60_000), workflow_id: `reservation-${id}` });
        await trx('reservation_seats').insert({ reservation_id: id, showtime_id: show.id, seat_id: show.seats[2].id, price_at_booking: '10.00' });
        expect(await trx('seat_history').where({ reservation_id: id }).pluck('event')).toEqual(['held']);
        throw new Error('roll back');
      })
      .catch((err: Error) => expect(err.message).toBe('roll back'));
    expect(await stack.knex('seat_history').where({ showtime_id: show.id }).count({ n: '*' })).toEqual([{ n: 0 }]);
  }, 60_000);

  it('holds its rules in the database: entries only of seats a reservation had, known events, reasons only on releases', async () => {
    const show = await newShowtime();
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const held = await holdSeats(api, user.token, show.id, [show.seats[0].id]);
    const entry = { showtime_id: show.id, seat_id: show.seats[0].id, reservation_id: held.id, event: 'held' };
    const refused = async (row: Record<string, unknown>) => {
      const err = await stack.knex('seat_history').insert(row).then(() => null, (e: { constraint?: string }) => e);
      return err?.constraint;
    };
    expect(await refused({ ...entry, seat_id: show.seats[1].id })).toBe('seat_history_reservation_seat');
    expect(await refused({ ...entry, event: 'stolen' })).toBe('seat_history_event_valid');
    expect(await refused({ ...entry, reason: 'cancelled' })).toBe('seat_history_reason_only_on_release');
    expect(await refused({ ...entry, event: 'released', reason: 'lost' })).toBe('seat_history_reason_valid');
    expect(await refused({ ...entry, actor_id: user.id })).toBe('seat_history_actor_only_at_checkin');
    expect(await stack.knex('seat_history').where({ reservation_id: held.id }).pluck('event')).toEqual(['held']);
    await stack.client.workflow.getHandle(held.workflow_id).terminate('test: the reservation is deleted');
    // A reservation deleted with its seats (nothing in the app does; an operator might) takes its history along.
    await stack.knex('reservations').where({ id: held.id }).delete();
    expect(await stack.knex('seat_history').where({ reservation_id: held.id }).count({ n: '*' })).toEqual([{ n: 0 }]);
  }, 60_000);

  it('records whatever writer changes the seats: a late payment retaking released seats, a release written status first', async () => {
    const show = await newShowtime();
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const [s1, s2] = [show.seats[0].id, show.seats[1].id];
    // Rows as the worker writes them, without a workflow: held, then expired as releaseSeats does it.
    const late = await insertReservation(stack.knex, { showtimeId: show.id, userId: user.id, seatIds: [s1] });
    await stack.knex.transaction(async (trx) => {
      await trx('reservation_seats').where({ reservation_id: late }).update({ is_active: false });
      await trx('reservations').where({ id: late }).update({ status: 'expired', expired_at: trx.fn.now() });
    });
    // A payment that arrives late and finds the seat free retakes it and confirms, in one transaction.
    await stack.knex.transaction(async (trx) => {
      await trx('reservation_seats').where({ reservation_id: late }).update({ is_active: true });
      await trx('reservations').where({ id: late }).update({ status: 'confirmed', confirmed_at: trx.fn.now() });
    });
    expect(summary(await entriesOf(show.id, s1))).toEqual([
      ['held', late, user.id, null, null],
      ['released', late, user.id, null, 'expired'],
      ['held', late, user.id, null, null],
      ['booked', late, user.id, null, null],
    ]);

    // An operator who writes the status before releasing the seats.
    const other = await insertReservation(stack.knex, { showtimeId: show.id, userId: user.id, seatIds: [s2] });
    await stack.knex.transaction(async (trx) => {
      await trx('reservations').where({ id: other }).update({ status: 'cancelled', cancelled_at: trx.fn.now(), cancel_reason: 'duplicate booking' });
      await trx('reservation_seats').where({ reservation_id: other }).update({ is_active: false });
    });
    const released = await entriesOf(show.id, s2);
    expect(released.map((e) => [e.event, e.reason, e.cancel_reason])).toEqual([
      ['held', null, null],
      ['released', 'cancelled', 'duplicate booking'],
    ]);
  }, 60_000);

  it('is for staff and admins only; unknown showtimes and seats are 404, bad ids and pages 422', async () => {
    const show = await newShowtime();
    const other = await newShowtime();
    const seat = show.seats[0].id;
    const user = await createUser(stack.knex, stack.config.jwtSecret);

    expect((await api.get(`/showtimes/${show.id}/seats/${seat}/history`)).status).toBe(401);
    const forbidden = await historyOf(show.id, seat, '', user.token);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual({ detail: expect.any(String), code: expect.any(String) });

    const noShowtime = await historyOf(2_000_000_000, seat);
    expect(noShowtime.status).toBe(404);
    expect(noShowtime.body).toEqual({ detail: expect.any(String), code: 'SHOWTIME_NOT_FOUND' });
    // A seat of another auditorium, and a seat that does not exist at all.
    for (const seatId of [other.seats[0].id, 2_000_000_000]) {
      const res = await historyOf(show.id, seatId);
      expect({ seatId, status: res.status, body: res.body }).toEqual({ seatId, status: 404, body: { detail: expect.any(String), code: 'SEAT_NOT_FOUND' } });
    }
    await stack.knex('showtimes').where({ id: other.id }).update({ is_deleted: true });
    expect((await historyOf(other.id, other.seats[0].id)).body.code).toBe('SHOWTIME_NOT_FOUND');

    for (const path of [`abc/seats/${seat}`, `0/seats/${seat}`, `${show.id}/seats/1.5`, `${show.id}/seats/-1`, `${show.id}/seats/99999999999`]) {
      const res = await api.get(`/showtimes/${path}/history`, { token: staff.token });
      expect({ path, status: res.status, code: res.body.code }).toEqual({ path, status: 422, code: 'VALIDATION_ERROR' });
      expect(res.body.errors.length).toBeGreaterThan(0);
    }
    for (const query of ['?page=0', '?page_size=101', '?page_size=x']) {
      const res = await historyOf(show.id, seat, query);
      expect({ query, status: res.status, code: res.body.code }).toEqual({ query, status: 422, code: 'VALIDATION_ERROR' });
    }
  }, 60_000);
});
