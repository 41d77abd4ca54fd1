import type { Knex } from 'knex';

/**
 * Seat history: an offline scan uploaded later that is earlier than the admission on record
 * moves the `checkins` row to itself (src/tickets/checkIn.ts, first scan wins). Both scans let
 * someone in, so both are entries: the update is recorded as a further `checked_in`, with its
 * own scanner and scan time, by the same function as an insert.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TRIGGER seat_history_checkin_moved AFTER UPDATE ON checkins
    FOR EACH ROW WHEN ((OLD.checked_in_at, OLD.scanner_id) IS DISTINCT FROM (NEW.checked_in_at, NEW.scanner_id))
    EXECUTE FUNCTION seat_history_checked_in()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS seat_history_checkin_moved ON checkins');
}
