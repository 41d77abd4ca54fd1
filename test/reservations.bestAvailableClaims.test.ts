import * as statements from '../src/reservations/holdStatements';
import { claimedAt, claimSeats } from '../src/reservations/seatClaims';
import { createShowtime, createUser } from './helpers/factories';
import { doubleBookedSeats } from './helpers/reservations';
import { useTestStack } from './helpers/stack';

/** Best-available holds of one API process steer clear of the seats its other holds are claiming. */
describe('best available: seats claimed in this process', () => {
  const { stack, api } = useTestStack();

  afterEach(() => jest.restoreAllMocks());

  const labels = (body: { seats: { label: string }[] }) => body.seats.map((s) => s.label);

  it('passes over seats another hold of this process is claiming, without asking for their locks, and leaves that claim alone', async () => {
    const show = await createShowtime(stack.knex, { rows: ['A', 'B', 'C'].map((row) => ({ row, seats: 10 })) });
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const seatId = (label: string) => show.seats.find((s) => `${s.row}${s.number}` === label)?.id as number;
    // B5 and B6 are the best pair (see reservations.bestAvailable.test.ts); Postgres knows nothing of this claim.
    const other = claimSeats(show.id, [seatId('B5'), seatId('B6')]);
    if (!('release' in other)) throw new Error('the seats were claimed already');
    const lockSeats = jest.spyOn(statements, 'lockSeats');
    try {
      const res = await api.post('/reservations', { showtime_id: show.id, quantity: 2 }, { token: user.token });
      expect(res.status).toBe(201);
      expect(labels(res.body)).not.toContain('B5');
      expect(labels(res.body)).not.toContain('B6');
      expect(lockSeats).toHaveBeenCalledTimes(1);
      expect(lockSeats.mock.calls[0][2]).not.toContain(seatId('B5'));
      // The other hold's claim stands; this hold's own claim ended with its transaction.
      expect([...claimedAt(show.id)].sort()).toEqual([seatId('B5'), seatId('B6')].sort());
    } finally {
      other.release();
    }
    expect(claimedAt(show.id).size).toBe(0);
  });

  it('spreads concurrent buyers over distinct candidates: one lock statement per hold', async () => {
    const show = await createShowtime(stack.knex, { rows: ['A', 'B', 'C', 'D'].map((row) => ({ row, seats: 10 })) });
    const users = await Promise.all(Array.from({ length: 10 }, () => createUser(stack.knex, stack.config.jwtSecret)));
    const lockSeats = jest.spyOn(statements, 'lockSeats');
    const answers = await Promise.all(users.map((u) => api.post('/reservations', { showtime_id: show.id, quantity: 2 }, { token: u.token })));
    expect(answers.map((r) => r.status)).toEqual(users.map(() => 201));
    const held = answers.flatMap((r) => labels(r.body));
    expect(new Set(held).size).toBe(20);
    expect(await doubleBookedSeats(stack.knex, show.id)).toEqual([]);
    // Without the claims every buyer ranked the same pairs from the same look and tried them in turn.
    expect(lockSeats).toHaveBeenCalledTimes(10);
    expect(claimedAt(show.id).size).toBe(0);
  });
});
