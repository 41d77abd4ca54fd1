import { ShowtimeReportView } from '../src/routes/catalog/showtimes/schema';
import { createShowtime, createUser } from './helpers/factories';
import { activeSeatIds, holdSeats, refundTotal, waitForStatus } from './helpers/reservations';
import { useTestStack } from './helpers/stack';

/** The admin and staff side of the API: bookings across users, cancel with refund, the showtime report. */
describe('operators: admin and staff API', () => {
  const { stack, api } = useTestStack({ env: { HOLD_TTL_SECONDS: '600', CANCELLATION_CUTOFF_MINUTES: '60' } });

  type Show = Awaited<ReturnType<typeof createShowtime>>;
  type User = Awaited<ReturnType<typeof createUser>>;
  const user = () => createUser(stack.knex, stack.config.jwtSecret);
  const staffMember = () => createUser(stack.knex, stack.config.jwtSecret, 'staff');
  const admin = () => createUser(stack.knex, stack.config.jwtSecret, 'admin');

  async function hold(who: User, show: Show, labels: string[]) {
    const seat_ids = labels.map((label) => {
      const seat = show.seats.find((s) => `${s.row}${s.number}` === label);
      if (!seat) throw new Error(`no seat ${label}`);
      return seat.id;
    });
    return holdSeats(api, who.token, show.id, seat_ids);
  }
  async function confirm(who: User, id: string, payment_method = 'pm_card_visa') {
    const res = await api.post(`/reservations/${id}/confirm`, { payment_method }, { token: who.token });
    expect(res.status).toBe(payment_method === 'pm_card_async' ? 202 : 200);
  }
  const ids = (body: { items: { id: string }[] }) => body.items.map((r) => r.id).sort();

  describe('GET /reservations across users', () => {
    let show: Show;
    let alice: User;
    let bob: User;
    const r: Record<'aliceHeld' | 'aliceBooked' | 'bobBooked' | 'bobCancelled', string> = { aliceHeld: '', aliceBooked: '', bobBooked: '', bobCancelled: '' };
    let otherShowReservation: string;

    beforeAll(async () => {
      show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 6 }] });
      [alice, bob] = [await user(), await user()];
      r.aliceHeld = (await hold(alice, show, ['A1'])).id;
      r.aliceBooked = (await hold(alice, show, ['A2'])).id;
      await confirm(alice, r.aliceBooked);
      r.bobBooked = (await hold(bob, show, ['A3'])).id;
      await confirm(bob, r.bobBooked);
      r.bobCancelled = (await hold(bob, show, ['A4'])).id;
      expect((await api.post(`/reservations/${r.bobCancelled}/cancel`, undefined, { token: bob.token })).status).toBe(200);
      const elsewhere = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 2 }] });
      otherShowReservation = (await hold(alice, elsewhere, ['A1'])).id;
    });

    it.each(['staff', 'admin'] as const)('%s filters by user, showtime and status, across users', async (role) => {
      const boss = role === 'staff' ? await staffMember() : await admin();
      const get = async (query: string) => {
        const res = await api.get(`/reservations?${query}`, { token: boss.token });
        expect(res.status).toBe(200);
        return res.body as { items: { id: string; user_id: number }[]; total: number };
      };
      const everyone = await get(`showtime_id=${show.id}`);
      expect(ids(everyone)).toEqual([r.aliceHeld, r.aliceBooked, r.bobBooked, r.bobCancelled].sort());
      expect(everyone.total).toBe(4);
      expect(new Set(everyone.items.map((i) => i.user_id))).toEqual(new Set([alice.id, bob.id]));
      expect(ids(await get(`user_id=${alice.id}`))).toEqual([r.aliceHeld, r.aliceBooked, otherShowReservation].sort());
      expect(ids(await get(`user_id=${alice.id}&showtime_id=${show.id}`))).toEqual([r.aliceHeld, r.aliceBooked].sort());
      expect(ids(await get(`showtime_id=${show.id}&status=confirmed`))).toEqual([r.aliceBooked, r.bobBooked].sort());
      expect(ids(await get(`user_id=${bob.id}&showtime_id=${show.id}&status=cancelled`))).toEqual([r.bobCancelled]);
      expect(await get(`user_id=${bob.id}&status=held`)).toMatchObject({ items: [], total: 0 });
      const paged = await get(`showtime_id=${show.id}&page=2&page_size=3`);
      expect(paged).toMatchObject({ page: 2, page_size: 3, total: 4 });
      expect(paged.items).toHaveLength(1);
    });

    it('a customer\'s user_id filter cannot reach another customer\'s bookings', async () => {
      const res = await api.get(`/reservations?user_id=${bob.id}&showtime_id=${show.id}`, { token: alice.token });
      expect(res.status).toBe(200);
      expect(ids(res.body)).toEqual([r.aliceHeld, r.aliceBooked].sort());
    });
  });

  describe('POST /reservations/:id/cancel by an admin', () => {
    it('cancels a customer\'s confirmed booking before the cutoff with a full refund at the provider', async () => {
      const [customer, boss] = [await user(), await admin()];
      const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 3 }, { row: 'P', seats: 3, price_modifier: '2.50' }], basePrice: '9.00' });
      const booking = await hold(customer, show, ['A1', 'P2']);
      await confirm(customer, booking.id);
      const res = await api.post(`/reservations/${booking.id}/cancel`, { reason: 'projector broken' }, { token: boss.token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: booking.id, user_id: customer.id, status: 'cancelled', refund_amount: '20.50', cancel_reason: 'projector broken' });
      expect(booking.total_price).toBe('20.50');
      expect(await refundTotal(stack.knex, booking.id)).toEqual({ count: 1, cents: 2050 });
      const [payment] = await stack.knex('payments').where({ reservation_id: booking.id, status: 'refunded' }).select('refunded_amount');
      expect(payment).toEqual({ refunded_amount: '20.50' });
      expect(await activeSeatIds(stack.knex, show.id)).toEqual([]);
      // The customer sees the same outcome.
      expect((await api.get(`/reservations/${booking.id}`, { token: customer.token })).body).toMatchObject({ status: 'cancelled', refund_amount: '20.50' });
    });

    it('records who cancelled when the admin gives no reason, and frees a hold with no refund', async () => {
      const [customer, boss] = [await user(), await admin()];
      const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 2 }] });
      const booking = await hold(customer, show, ['A1']);
      const res = await api.post(`/reservations/${booking.id}/cancel`, undefined, { token: boss.token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'cancelled', refund_amount: '0.00', cancel_reason: 'cancelled by admin' });
      expect(await refundTotal(stack.knex, booking.id)).toEqual({ count: 0, cents: 0 });
    });

    it('refuses after the cancellation cutoff: 409, the booking and its seats stay, nothing refunded', async () => {
      const [customer, boss] = [await user(), await admin()];
      const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 2 }], startsInMinutes: 30 });
      const booking = await hold(customer, show, ['A1', 'A2']);
      await confirm(customer, booking.id);
      const res = await api.post(`/reservations/${booking.id}/cancel`, { reason: 'too late' }, { token: boss.token });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'INVALID_STATE', detail: expect.stringContaining('60 minutes') });
      expect((await api.get(`/reservations/${booking.id}`, { token: boss.token })).body).toMatchObject({ status: 'confirmed', refund_amount: null });
      expect(await activeSeatIds(stack.knex, show.id)).toHaveLength(2);
      expect(await refundTotal(stack.knex, booking.id)).toEqual({ count: 0, cents: 0 });
    });

    it('staff can see a customer\'s booking but not cancel it (403)', async () => {
      const [customer, staff] = [await user(), await staffMember()];
      const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 2 }] });
      const booking = await hold(customer, show, ['A1']);
      expect((await api.get(`/reservations/${booking.id}`, { token: staff.token })).status).toBe(200);
      const res = await api.post(`/reservations/${booking.id}/cancel`, undefined, { token: staff.token });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
      expect((await api.get(`/reservations/${booking.id}`, { token: customer.token })).body.status).toBe('held');
    });
  });

  describe('GET /showtimes/:id/report', () => {
    it('adds up a showtime: seats sold, held and free, revenue, refunds and reservations by status', async () => {
      // 10 seats: A1-A5 at 10.00, P1-P5 at 12.50.
      const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 5 }, { row: 'P', seats: 5, seat_type: 'premium', price_modifier: '2.50' }] });
      const [u1, u2, u3, u4, u5, boss] = [await user(), await user(), await user(), await user(), await user(), await admin()];
      await confirm(u1, (await hold(u1, show, ['A1', 'P1'])).id); // sold: 22.50
      await confirm(u2, (await hold(u2, show, ['A2'])).id); // sold: 10.00
      await hold(u3, show, ['A3', 'A4']); // held
      const refunded = await hold(u4, show, ['P2']);
      await confirm(u4, refunded.id);
      expect((await api.post(`/reservations/${refunded.id}/cancel`, { reason: 'refund test' }, { token: boss.token })).body.refund_amount).toBe('12.50');
      const pending = await hold(u5, show, ['P3']);
      await confirm(u5, pending.id, 'pm_card_async'); // pending_payment: its seat stays held
      const dropped = await hold(u1, show, ['A5']);
      expect((await api.post(`/reservations/${dropped.id}/cancel`, undefined, { token: u1.token })).body.refund_amount).toBe('0.00');

      for (const who of [await staffMember(), boss]) {
        const res = await api.get(`/showtimes/${show.id}/report`, { token: who.token });
        expect(res.status).toBe(200);
        expect(ShowtimeReportView.parse(res.body)).toEqual(res.body);
        expect(res.body).toEqual({
          showtime_id: show.id,
          movie_title: show.movie.title,
          starts_at: show.startsAt.toISOString(),
          seats_total: 10,
          seats_sold: 3,
          seats_held: 3,
          seats_free: 4,
          seats_checked_in: 0,
          occupancy_percent: 30,
          gross_revenue: '32.50',
          refunds: '12.50',
          reservations: { held: 1, pending_payment: 1, confirmed: 2, cancelled: 2, expired: 0, completed: 0 },
        });
      }
    });

    it('rounds occupancy to two decimals and counts completed bookings as sold revenue', async () => {
      const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 3 }], basePrice: '7.35', startsInMinutes: 0.05, endsInMinutes: 0.15 });
      const [customer, staff] = [await user(), await staffMember()];
      const booking = await hold(customer, show, ['A2']);
      await confirm(customer, booking.id);
      await waitForStatus(api, customer.token, booking.id, 'completed', 30_000);
      const res = await api.get(`/showtimes/${show.id}/report`, { token: staff.token });
      expect(res.body).toMatchObject({
        seats_total: 3,
        seats_sold: 1,
        seats_held: 0,
        seats_free: 2,
        occupancy_percent: 33.33,
        gross_revenue: '7.35',
        refunds: '0.00',
        reservations: { held: 0, pending_payment: 0, confirmed: 0, cancelled: 0, expired: 0, completed: 1 },
      });
    });

    it('reports an unsold showtime with zeros and money as "0.00"', async () => {
      const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }] });
      const res = await api.get(`/showtimes/${show.id}/report`, { token: (await admin()).token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        seats_total: 4,
        seats_sold: 0,
        seats_held: 0,
        seats_free: 4,
        occupancy_percent: 0,
        gross_revenue: '0.00',
        refunds: '0.00',
        reservations: { held: 0, pending_payment: 0, confirmed: 0, cancelled: 0, expired: 0, completed: 0 },
      });
    });

    it('answers 401 without a token, 403 to a customer, 404 for an unknown or deleted showtime, 422 for a bad id', async () => {
      const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 1 }] });
      const staff = await staffMember();
      const anonymous = await api.get(`/showtimes/${show.id}/report`);
      expect(anonymous.status).toBe(401);
      const customer = await api.get(`/showtimes/${show.id}/report`, { token: (await user()).token });
      expect(customer.status).toBe(403);
      expect(customer.body.code).toBe('FORBIDDEN');
      const unknown = await api.get('/showtimes/2147483647/report', { token: staff.token });
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('SHOWTIME_NOT_FOUND');
      await stack.knex('showtimes').where({ id: show.id }).update({ is_deleted: true });
      expect((await api.get(`/showtimes/${show.id}/report`, { token: staff.token })).status).toBe(404);
      expect((await api.get('/showtimes/abc/report', { token: staff.token })).status).toBe(422);
    });
  });
});
