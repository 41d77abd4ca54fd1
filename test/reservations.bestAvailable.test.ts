import { rankCandidates, type LayoutSeat } from '../src/reservations/bestAvailable';
import { apiClient } from './helpers/http';
import { createShowtime, createUser } from './helpers/factories';
import { doubleBookedSeats } from './helpers/reservations';
import { useTestStack } from './helpers/stack';

describe('POST /reservations: best available', () => {
  const { stack, api } = useTestStack();

  const workflowCount = async (showtimeId: number) =>
    (await stack.client.workflow.count(`WorkflowType="reservationWorkflow" AND ShowtimeId=${showtimeId}`)).count;
  const layoutOf = async (auditoriumId: number): Promise<LayoutSeat[]> =>
    (await stack.knex('seats').where({ auditorium_id: auditoriumId }).select('id', 'row', 'number', 'seat_type', 'is_active')).map(
      (s: { id: number; row: string; number: number; seat_type: LayoutSeat['seat_type']; is_active: boolean }) => ({ ...s, usable: s.is_active }),
    );
  const takenOf = async (showtimeId: number) =>
    new Set<number>(await stack.knex('reservation_seats').where({ showtime_id: showtimeId, is_active: true }).pluck('seat_id'));

  it('holds the best seats together and lists them in the 201', async () => {
    const show = await createShowtime(stack.knex, { rows: ['A', 'B', 'C'].map((row) => ({ row, seats: 10 })), basePrice: '9.00' });
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const res = await api.post('/reservations', { showtime_id: show.id, quantity: 2 }, { token: user.token });
    expect(res.status).toBe(201);
    expect(res.body.seats.map((s: { label: string }) => s.label)).toEqual(['B5', 'B6']);
    expect(res.body).toMatchObject({ status: 'held', total_price: '18.00' });
    expect(Number((await stack.knex('reservation_seats').where({ reservation_id: res.body.id, state: 'held' }).count({ c: '*' }))[0].c)).toBe(2);
  });

  it.each([
    ['quantity 0', { quantity: 0 }, 'quantity'],
    ['quantity 11', { quantity: 11 }, 'quantity'],
    ['a fractional quantity', { quantity: 1.5 }, 'quantity'],
    ['a string quantity', { quantity: '2' }, 'quantity'],
    ['both seat_ids and quantity', { quantity: 1, seat_ids: [1] }, 'quantity'],
    ['an unknown seat_type', { quantity: 1, seat_type: 'vip' }, 'seat_type'],
    ['a non-boolean together', { quantity: 1, together: 'no' }, 'together'],
    ['together with seat_ids', { seat_ids: [1], together: false }, 'together'],
  ])('answers 422 for %s and holds nothing', async (_name, extra, field) => {
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }] });
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const res = await api.post('/reservations', { showtime_id: show.id, ...extra }, { token: user.token });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'VALIDATION_ERROR', detail: expect.any(String) });
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, location: 'body' })]));
    expect(await takenOf(show.id)).toEqual(new Set());
  });

  it('answers 409 SOLD_OUT, without a transaction or a workflow, when the party cannot be seated', async () => {
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 3 }] });
    const [a, b] = await Promise.all([createUser(stack.knex, stack.config.jwtSecret), createUser(stack.knex, stack.config.jwtSecret)]);
    expect((await api.post('/reservations', { showtime_id: show.id, quantity: 2 }, { token: a.token })).status).toBe(201);
    // One seat left: a couple cannot sit together, and the showtime cannot seat two at all.
    const couple = await api.post('/reservations', { showtime_id: show.id, quantity: 2 }, { token: b.token });
    expect(couple.status).toBe(409);
    expect(couple.body).toEqual({ code: 'SOLD_OUT', detail: expect.any(String), quantity: 2 });
    const scattered = await api.post('/reservations', { showtime_id: show.id, quantity: 2, together: false }, { token: b.token });
    expect(scattered.body.code).toBe('SOLD_OUT');
    const single = await api.post('/reservations', { showtime_id: show.id, quantity: 1 }, { token: b.token });
    expect(single.status).toBe(201);
    expect(await workflowCount(show.id)).toBe(2);
    expect((await api.post('/reservations', { showtime_id: show.id, quantity: 1 }, { token: b.token })).body.code).toBe('SOLD_OUT');
    expect(Number((await stack.knex('reservations').where({ showtime_id: show.id }).count({ c: '*' }))[0].c)).toBe(2);
  });

  it('seats a party apart only when together is false', async () => {
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 5 }] });
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[1].id, show.seats[3].id] }, { token: user.token });
    const other = await createUser(stack.knex, stack.config.jwtSecret);
    expect((await api.post('/reservations', { showtime_id: show.id, quantity: 2 }, { token: other.token })).body.code).toBe('SOLD_OUT');
    const apart = await api.post('/reservations', { showtime_id: show.id, quantity: 2, together: false }, { token: other.token });
    expect(apart.status).toBe(201);
    expect(apart.body.seats.map((s: { label: string }) => s.label)).toEqual(['A3', 'A1']);
  });

  it('wheelchair spaces go only to those who ask for them', async () => {
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 2, seat_type: 'wheelchair' }] });
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    expect((await api.post('/reservations', { showtime_id: show.id, quantity: 1 }, { token: user.token })).body.code).toBe('SOLD_OUT');
    const res = await api.post('/reservations', { showtime_id: show.id, quantity: 1, seat_type: 'wheelchair' }, { token: user.token });
    expect(res.status).toBe(201);
  });

  it('replays an idempotent best-available request with the same seats', async () => {
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 6 }] });
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const headers = { 'idempotency-key': `best-${show.id}` };
    const [first, second] = await Promise.all([
      api.post('/reservations', { showtime_id: show.id, quantity: 2 }, { token: user.token, headers }),
      api.post('/reservations', { showtime_id: show.id, quantity: 2 }, { token: user.token, headers }),
    ]);
    expect([first.status, second.status].sort()).toEqual([201, 201]);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.seats).toEqual(first.body.seats);
    expect((await takenOf(show.id)).size).toBe(2);
  });

  it('200 concurrent buyers of two seats for 100 seats: every seat sold once, nobody refused while a pair remains', async () => {
    const show = await createShowtime(stack.knex, { rows: 'ABCDEFGHIJ'.split('').map((row) => ({ row, seats: 10 })) });
    const users = await Promise.all(Array.from({ length: 200 }, () => createUser(stack.knex, stack.config.jwtSecret)));
    const client = apiClient(stack.baseUrl);
    const results = await Promise.all(users.map((u) => client.post('/reservations', { showtime_id: show.id, quantity: 2 }, { token: u.token })));
    const winners = results.filter((r) => r.status === 201);
    const refusals = results.filter((r) => r.status !== 201);
    expect(refusals.map((r) => `${r.status} ${r.body.code}`).filter((s) => s !== '409 SOLD_OUT')).toEqual([]);
    const held = winners.flatMap((w) => w.body.seats.map((s: { seat_id: number }) => s.seat_id));
    expect(new Set(held).size).toBe(held.length);
    expect(await doubleBookedSeats(stack.knex, show.id)).toEqual([]);
    const taken = await takenOf(show.id);
    expect(taken).toEqual(new Set(held));
    // Seats only ever get taken here, so what cannot seat a pair now could not at any refusal.
    expect(rankCandidates(await layoutOf(show.auditorium.id), taken, { quantity: 2, together: true })).toEqual([]);
    expect(held.length).toBeGreaterThanOrEqual(96);
    expect(await workflowCount(show.id)).toBe(winners.length);
  });
});
