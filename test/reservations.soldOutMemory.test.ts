import { SOLD_OUT_LISTENER_APPLICATION_NAME } from '../src/reservations/soldOutMemory';
import { createShowtime, createUser } from './helpers/factories';
import { useTestStack } from './helpers/stack';

/** Longer than the seat layout's cache (seatLayout.ts), so a fresh read would see a seat added now. */
const LAYOUT_CACHE_PASSED_MS = 2_200;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('POST /reservations: a sold-out showtime answered from memory', () => {
  const { stack, api } = useTestStack();
  const one = { quantity: 1, together: true };

  /** A sold-out showtime the API has found sold out since its listener was in place. */
  async function soldOutShowtime() {
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 2 }] });
    const [holder, buyer] = await Promise.all([createUser(stack.knex, stack.config.jwtSecret), createUser(stack.knex, stack.config.jwtSecret)]);
    const held = await api.post('/reservations', { showtime_id: show.id, quantity: 2 }, { token: holder.token });
    expect(held.status).toBe(201);
    // The first refusal starts the memory's listener; refusals read from then on are remembered.
    await until('the memory to know the showtime is sold out', async () => {
      const res = await api.post('/reservations', { showtime_id: show.id, quantity: 1 }, { token: buyer.token });
      expect(res.body.code).toBe('SOLD_OUT');
      return stack.soldOut.cannotSeat(show.id, one);
    });
    // A seat added by hand: no notification (the API adds no seats to an auditorium), so only a read sees it.
    await stack.knex('seats').insert({ auditorium_id: show.auditorium.id, row: 'B', number: 1, seat_type: 'regular', price_modifier: '0.00' });
    await sleep(LAYOUT_CACHE_PASSED_MS);
    return { show, holder, buyer, held: held.body as { id: string } };
  }

  it('refuses without reading until a seat of the showtime changes, then reads again', async () => {
    const { show, holder, buyer, held } = await soldOutShowtime();
    // A read would seat this buyer in the added seat: the memory answers instead.
    const refused = await api.post('/reservations', { showtime_id: show.id, quantity: 1 }, { token: buyer.token });
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({ code: 'SOLD_OUT', detail: expect.any(String), quantity: 1 });
    expect(await stack.knex('reservation_seats').where({ showtime_id: show.id, is_active: true }).count({ c: '*' })).toEqual([{ c: 2 }]);

    // The cancel's release commits a seat change: its notification makes the memory forget the showtime.
    expect((await api.post(`/reservations/${held.id}/cancel`, {}, { token: holder.token })).status).toBe(200);
    await until('the release to reach the memory', () => !stack.soldOut.cannotSeat(show.id, one));
    const couple = await api.post('/reservations', { showtime_id: show.id, quantity: 2 }, { token: buyer.token });
    expect(couple.status).toBe(201);
  });

  it('remembers a party as unseatable for larger parties of the same shape only', async () => {
    const { show } = await soldOutShowtime();
    expect(stack.soldOut.cannotSeat(show.id, { quantity: 3, together: true })).toBe(true);
    expect(stack.soldOut.cannotSeat(show.id, { quantity: 1, together: false })).toBe(true);
    expect(stack.soldOut.cannotSeat(show.id, { quantity: 1, together: true, seatType: 'premium' })).toBe(false);
    expect(stack.soldOut.cannotSeat(show.id + 1_000_000, one)).toBe(false);
  });

  it('forgets every showtime when its listener connection is lost, and reads again', async () => {
    const { show, buyer } = await soldOutShowtime();
    const { rows } = await stack.knex.raw<{ rows: { killed: boolean }[] }>(
      'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = ? AND datname = current_database()',
      [SOLD_OUT_LISTENER_APPLICATION_NAME],
    );
    expect(rows.length).toBeGreaterThan(0);
    await until('the memory to forget', () => !stack.soldOut.cannotSeat(show.id, one));
    const res = await api.post('/reservations', { showtime_id: show.id, quantity: 1 }, { token: buyer.token });
    expect(res.status).toBe(201);
    expect(res.body.seats).toEqual([expect.objectContaining({ label: 'B1' })]);
  });
});
