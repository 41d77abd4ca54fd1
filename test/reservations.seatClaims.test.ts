import { claimedSeats, claimSeats } from '../src/reservations/seatClaims';
import { apiClient } from './helpers/http';
import { createShowtime, createUser } from './helpers/factories';
import { activeSeatIds, eventually } from './helpers/reservations';
import { useTestStack } from './helpers/stack';

describe('seat claims: the seats this process is inserting right now', () => {
  it('a claim refuses the same seats of the same showtime until released, and nothing else', () => {
    const first = claimSeats(9001, [3, 1]);
    if (!('release' in first)) throw new Error('the first claim should succeed');
    expect(claimSeats(9001, [2, 3, 1])).toEqual({ contended: [1, 3] });
    expect(claimedSeats(9002, [1, 3])).toEqual([]);
    const other = claimSeats(9001, [2]);
    expect('release' in other).toBe(true);
    first.release();
    first.release(); // twice is harmless: it must not free another claim's seats
    expect(claimedSeats(9001, [1, 2, 3])).toEqual([2]);
    if ('release' in other) other.release();
    expect(claimedSeats(9001, [1, 2, 3])).toEqual([]);
  });
});

describe('a stampede for one seat in one API process', () => {
  const { stack } = useTestStack();

  it('a request for a seat another request is inserting is refused at once, without a transaction of its own', async () => {
    const [first, second] = await Promise.all([createUser(stack.knex, stack.config.jwtSecret), createUser(stack.knex, stack.config.jwtSecret)]);
    const show = await createShowtime(stack.knex);
    const seat = show.seats[0].id;
    const api = apiClient(stack.baseUrl);
    // An admin's edit holds the showtime's row: the first hold waits inside its transaction, seat claimed.
    const admin = await stack.knex.transaction();
    try {
      await admin('showtimes').where({ id: show.id }).forUpdate().first('id');
      const holding = api.post('/reservations', { showtime_id: show.id, seat_ids: [seat] }, { token: first.token });
      const waiting = async () =>
        Number((await stack.knex.raw(`SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%FROM showtimes WHERE id = % FOR SHARE%'`)).rows[0].n);
      await eventually(async () => (await waiting()) === 1);

      const refused = await api.post('/reservations', { showtime_id: show.id, seat_ids: [seat] }, { token: second.token });
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'SEAT_UNAVAILABLE', seat_ids: [seat] });
      // It never reached a transaction: still only the first hold waits on the row.
      expect(await waiting()).toBe(1);

      await admin.rollback();
      const held = await holding;
      expect(held.status).toBe(201);
      expect(await activeSeatIds(stack.knex, show.id)).toEqual([seat]);
    } finally {
      if (!admin.isCompleted()) await admin.rollback();
    }
  });
});

describe('the exact-seat read before the transaction', () => {
  const { stack } = useTestStack();

  it('refuses seats another process is inserting (their try-locks) and seats taken for good, and names all of them', async () => {
    const [holder, buyer] = await Promise.all([createUser(stack.knex, stack.config.jwtSecret), createUser(stack.knex, stack.config.jwtSecret)]);
    const show = await createShowtime(stack.knex);
    const [sold, inFlight, free] = show.seats.map((s) => s.id);
    const api = apiClient(stack.baseUrl);
    expect((await api.post('/reservations', { showtime_id: show.id, seat_ids: [sold] }, { token: holder.token })).status).toBe(201);
    // Another API process's hold, between its per-seat try-lock and its commit.
    const elsewhere = await stack.knex.transaction();
    try {
      await elsewhere.raw('SELECT pg_try_advisory_xact_lock(?, ?)', [show.id, inFlight]);
      const ask = async (seatIds: number[]) => (await api.post('/reservations', { showtime_id: show.id, seat_ids: seatIds }, { token: buyer.token })).body;
      expect(await ask([inFlight])).toMatchObject({ code: 'SEAT_UNAVAILABLE', seat_ids: [inFlight] });
      expect(await ask([sold])).toMatchObject({ code: 'SEAT_UNAVAILABLE', seat_ids: [sold] });
      expect(await ask([free, inFlight, sold])).toMatchObject({ code: 'SEAT_UNAVAILABLE', seat_ids: [sold, inFlight].sort((a, b) => a - b) });
    } finally {
      await elsewhere.rollback();
    }
    expect(await activeSeatIds(stack.knex, show.id)).toEqual([sold]);
  });
});
