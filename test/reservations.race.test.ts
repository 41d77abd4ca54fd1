import { apiClient } from './helpers/http';
import { createShowtime, createUser } from './helpers/factories';
import { doubleBookedSeats } from './helpers/reservations';
import { useTestStack } from './helpers/stack';

describe('racing clients for the same seats', () => {
  const { stack } = useTestStack();

  it('50 concurrent holds on overlapping seats: each seat held once, the rest 409, no double booking', async () => {
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 6 }] });
    const seatIds = show.seats.map((s) => s.id);
    const users = await Promise.all(Array.from({ length: 50 }, () => createUser(stack.knex, stack.config.jwtSecret)));
    const api = apiClient(stack.baseUrl);
    // Every client wants two adjacent seats out of six, so requests overlap in many ways.
    const wanted = users.map((_, i) => [seatIds[i % 5], seatIds[(i % 5) + 1]]);
    const results = await Promise.all(
      users.map((u, i) => api.post('/reservations', { showtime_id: show.id, seat_ids: wanted[i] }, { token: u.token })),
    );
    const winners = results.filter((r) => r.status === 201);
    const losers = results.filter((r) => r.status !== 201);
    expect(losers.every((r) => r.status === 409 && r.body.code === 'SEAT_UNAVAILABLE' && r.body.seat_ids.length > 0)).toBe(true);
    const heldSeats = winners.flatMap((w) => w.body.seats.map((s: { seat_id: number }) => s.seat_id));
    expect(new Set(heldSeats).size).toBe(heldSeats.length);
    expect(winners.length).toBeGreaterThanOrEqual(1);
    expect(winners.length).toBeLessThanOrEqual(3);
    expect(await doubleBookedSeats(stack.knex, show.id)).toEqual([]);
    const { count } = await stack.client.workflow.count(`WorkflowType="reservationWorkflow" AND ShowtimeId=${show.id}`);
    expect(count).toBe(winners.length);
  });

  it('50 clients race for one seat: exactly one winner', async () => {
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 1 }] });
    const users = await Promise.all(Array.from({ length: 50 }, () => createUser(stack.knex, stack.config.jwtSecret)));
    const api = apiClient(stack.baseUrl);
    const results = await Promise.all(users.map((u) => api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: u.token })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(49);
    expect(await doubleBookedSeats(stack.knex, show.id)).toEqual([]);
  });
});
