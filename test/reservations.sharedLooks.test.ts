import { performance } from 'node:perf_hooks';
import * as claims from '../src/reservations/claimBestAvailable';
import { lookFrom } from '../src/reservations/readBestAvailable';
import { createShowtime, createUser } from './helpers/factories';
import { useTestStack } from './helpers/stack';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a best-available buyer waiting on in-flight seats waits for, and how the waiting buyers look again. */
describe('best available: waiting on seats in flight', () => {
  const { stack, api } = useTestStack();

  afterEach(() => jest.restoreAllMocks());

  it("wakes a wait on a showtime at that showtime's next committed seat change, not at its timeout", async () => {
    const [show, other] = await Promise.all([
      createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }] }),
      createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }] }),
    ]);
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    // A mark starts the memory's listener; marks come back once it is in place.
    for (let i = 0; stack.soldOut.mark(show.id) === undefined; i++) {
      if (i > 400) throw new Error('the sold-out memory never listened');
      await sleep(25);
    }
    let woke = false;
    // Two minutes: only the notification can end it within the test's time.
    const waiting = stack.soldOut.nextChange(show.id, 120_000).then(() => (woke = true));
    expect((await api.post('/reservations', { showtime_id: other.id, quantity: 1 }, { token: user.token })).status).toBe(201);
    await sleep(500);
    expect(woke).toBe(false);
    expect((await api.post('/reservations', { showtime_id: show.id, quantity: 1 }, { token: user.token })).status).toBe(201);
    await waiting;
    expect(woke).toBe(true);
  });

  it('shares one look among the requests that want one while it runs, and takes a new one for a request that wants a later one', async () => {
    const show = await createShowtime(stack.knex, { rows: [{ row: 'A', seats: 4 }] });
    const looks = jest.spyOn(claims, 'lookAtSeats');
    const wanted = performance.now();
    const shared = await Promise.all(Array.from({ length: 10 }, () => lookFrom(stack.knex, show.id, wanted)));
    expect(looks).toHaveBeenCalledTimes(1);
    expect(new Set(shared).size).toBe(1);

    // A look that began before a request wanted one is too old for it.
    const first = lookFrom(stack.knex, show.id, performance.now());
    await sleep(1);
    const second = lookFrom(stack.knex, show.id, performance.now());
    await Promise.all([first, second]);
    expect(looks).toHaveBeenCalledTimes(3);
  });
});
