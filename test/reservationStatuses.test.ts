import type { Knex } from 'knex';
import { createKnex } from '../src/db/knex';
import { ReservationStatusValue } from '../src/routes/reservations/schema';
import { RESERVATION_STATUSES } from '../workflows/statuses';

/** The migrations own the schema; this holds the code's one list of statuses to what they made. */
describe('the reservation statuses', () => {
  let knex: Knex;
  beforeAll(() => {
    knex = createKnex(process.env.TEST_DATABASE_URL as string, 1);
  });
  afterAll(() => knex.destroy());

  it('are exactly the values of the database enum reservation_status, in its order', async () => {
    const { rows } = (await knex.raw(
      `SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = 'reservation_status' ORDER BY e.enumsortorder`,
    )) as { rows: { enumlabel: string }[] };
    expect(rows.map((r) => r.enumlabel)).toEqual([...RESERVATION_STATUSES]);
  });

  it('are what the API accepts as a status filter', () => {
    expect(ReservationStatusValue.options).toEqual([...RESERVATION_STATUSES]);
  });
});
