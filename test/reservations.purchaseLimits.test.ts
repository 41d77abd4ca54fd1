import { apiClient } from './helpers/http';
import { createShowtime, createUser } from './helpers/factories';
import { useTestStack } from './helpers/stack';

describe('POST /reservations: purchase limits', () => {
  // The defaults, which the shared test stack raises out of the way of other tests.
  const { stack, api } = useTestStack({ env: { PURCHASE_LIMIT_OPEN_HOLDS_PER_SHOWTIME: '2', PURCHASE_LIMIT_SEATS_PER_SHOWTIME: '10' } });

  const heldBy = async (userId: number, showtimeId: number) =>
    Number(
      (
        await stack
          .knex('reservation_seats as rs')
          .join('reservations as r', 'r.id', 'rs.reservation_id')
          .where({ 'r.user_id': userId, 'rs.showtime_id': showtimeId, 'rs.is_active': true })
          .count({ c: '*' })
      )[0].c,
    );

  it('concurrent holds of one user: at most 2 open holds per showtime, the rest 409 PURCHASE_LIMIT with the limit', async () => {
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 20 }] });
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const results = await Promise.all(Array.from({ length: 8 }, () => api.post('/reservations', { showtime_id: show.id, quantity: 1 }, { token: user.token })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(2);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused.every((r) => r.status === 409 && r.body.code === 'PURCHASE_LIMIT' && r.body.limit === 'open_holds_per_showtime' && r.body.max === 2)).toBe(true);
    expect(await heldBy(user.id, show.id)).toBe(2);
    // Another showtime is another allowance.
    const other = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }] });
    expect((await api.post('/reservations', { showtime_id: other.id, quantity: 1 }, { token: user.token })).status).toBe(201);
  });

  it('concurrent holds of one user: at most 10 seats held or booked per showtime, exact seats and best available alike', async () => {
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 20 }] });
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const results = await Promise.all([
      api.post('/reservations', { showtime_id: show.id, quantity: 6 }, { token: user.token }),
      api.post('/reservations', { showtime_id: show.id, seat_ids: show.seats.slice(14, 20).map((s) => s.id) }, { token: user.token }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const refused = results.find((r) => r.status === 409);
    expect(refused?.body).toEqual({ code: 'PURCHASE_LIMIT', detail: expect.any(String), limit: 'seats_per_showtime', max: 10, current: 6 });
    expect(await heldBy(user.id, show.id)).toBe(6);
    expect((await api.post('/reservations', { showtime_id: show.id, quantity: 4 }, { token: user.token })).status).toBe(201);
    expect(await heldBy(user.id, show.id)).toBe(10);
  });

  it('a cancelled hold no longer counts', async () => {
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 20 }] });
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const first = await api.post('/reservations', { showtime_id: show.id, quantity: 10 }, { token: user.token });
    expect((await api.post('/reservations', { showtime_id: show.id, quantity: 1 }, { token: user.token })).body.limit).toBe('seats_per_showtime');
    expect((await api.post(`/reservations/${first.body.id}/cancel`, {}, { token: user.token })).status).toBe(200);
    expect((await api.post('/reservations', { showtime_id: show.id, quantity: 1 }, { token: user.token })).status).toBe(201);
  });

  it('SOLD_OUT comes before PURCHASE_LIMIT, whether a read or the sold-out memory decides it', async () => {
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 12 }] });
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    // A2-A11: the user is at 10 seats, and A1 and A12 are left, not side by side.
    expect((await api.post('/reservations', { showtime_id: show.id, seat_ids: show.seats.slice(1, 11).map((s) => s.id) }, { token: user.token })).status).toBe(201);
    // The first of each is decided by a read, the second from this process's memory.
    for (let i = 0; i < 2; i++) {
      expect((await api.post('/reservations', { showtime_id: show.id, quantity: 3 }, { token: user.token })).body.code).toBe('SOLD_OUT');
      expect((await api.post('/reservations', { showtime_id: show.id, quantity: 2 }, { token: user.token })).body.code).toBe('SOLD_OUT');
    }
    // Two seats apart could seat it: the limit answers.
    expect((await api.post('/reservations', { showtime_id: show.id, quantity: 2, together: false }, { token: user.token })).body).toMatchObject({
      code: 'PURCHASE_LIMIT',
      limit: 'seats_per_showtime',
      max: 10,
      current: 10,
    });
    expect(await heldBy(user.id, show.id)).toBe(10);
  });

  it('the limits are configurable, 0 turning one off', async () => {
    const extra = await stack.startExtraApi({ purchaseLimits: { seatsPerReservation: 4, openHoldsPerShowtime: 0, seatsPerShowtime: 0 } });
    try {
      const limited = apiClient(extra.baseUrl);
      const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 20 }] });
      const user = await createUser(stack.knex, stack.config.jwtSecret);
      const tooMany = await limited.post('/reservations', { showtime_id: show.id, quantity: 5 }, { token: user.token });
      expect(tooMany.body).toEqual({ code: 'PURCHASE_LIMIT', detail: expect.any(String), limit: 'seats_per_reservation', max: 4, current: 5 });
      for (let i = 0; i < 4; i++) expect((await limited.post('/reservations', { showtime_id: show.id, quantity: 4 }, { token: user.token })).status).toBe(201);
      expect(await heldBy(user.id, show.id)).toBe(16);
    } finally {
      await extra.close();
    }
  });
});
