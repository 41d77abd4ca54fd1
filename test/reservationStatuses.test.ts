import type { Knex } from 'knex';
import { createKnex } from '../src/db/knex';
import { SEAT_HISTORY_EVENTS, SEAT_RELEASE_REASONS, WEBHOOK_DELIVERY_STATUSES } from '../src/db/models';
import { ReservationStatusValue } from '../src/routes/reservations/schema';
import { WEBHOOK_EVENT_TYPES } from '../src/webhooks/eventTypes';
import { RESERVATION_STATUSES } from '../workflows/statuses';

let knex: Knex;
beforeAll(() => {
  knex = createKnex(process.env.TEST_DATABASE_URL as string, 1);
});
afterAll(() => knex.destroy());

/** The migrations own the schema; this holds the code's one list of statuses to what they made. */
describe('the reservation statuses', () => {
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

/**
 * The CHECK constraints' lists, as the migrations wrote them, against the code's one list of each
 * (kept next to its model, or in src/webhooks/eventTypes.ts).
 */
describe('the value lists the code keeps once', () => {
  /** The quoted values of a CHECK constraint (`col IN (...)`, `col <@ ARRAY[...]`), sorted. */
  async function checkedValues(constraint: string): Promise<string[]> {
    const { rows } = (await knex.raw('SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = ?', [constraint])) as { rows: { def: string }[] };
    expect(rows).toHaveLength(1);
    return [...rows[0].def.matchAll(/'([^']*)'::text/g)].map((m) => m[1]).sort();
  }

  it.each([
    ['webhook_events_type_valid', WEBHOOK_EVENT_TYPES],
    ['webhook_endpoints_events_valid', WEBHOOK_EVENT_TYPES],
    ['webhook_deliveries_status_valid', WEBHOOK_DELIVERY_STATUSES],
    ['seat_history_event_valid', SEAT_HISTORY_EVENTS],
    ['seat_history_reason_valid', SEAT_RELEASE_REASONS],
  ] as const)('%s allows exactly the code list', async (constraint, list) => {
    expect(await checkedValues(constraint)).toEqual([...list].sort());
  });
});
