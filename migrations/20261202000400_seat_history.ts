import type { Knex } from 'knex';

/**
 * Seat history (issue 19): every hold, booking, release and check-in of a seat of a showtime, for
 * GET /showtimes/:id/seats/:seat_id/history.
 *
 * The rows are written by triggers, so they commit or roll back with the change itself and every
 * writer is covered without knowing about them: the API's hold insert, the worker's activities,
 * a late payment retaking seats, an operator's SQL. What each writer actually does:
 * - a hold inserts `reservation_seats` rows (active; `state` 'held');
 * - a confirm updates `reservations.status`, whose trigger `reservations_seat_state` sets the
 *   active seats' `state` to 'booked';
 * - a release (cancel, expiry) sets `is_active = false`, then the reservation's status and
 *   `cancel_reason`, in one transaction; retaking released seats sets `is_active = true` again;
 * - a check-in inserts into `checkins` (one per ticket, UNIQUE).
 * Nothing deletes reservation seats but a deleted reservation, so no trigger watches deletes.
 *
 * The hold path pays one statement-level trigger: one INSERT ... SELECT from the transition table,
 * no lookups (about 0.1-0.2 ms per hold of 4 seats, bench/seatHistoryTrigger.ts). The reservation's user is not copied (it never changes): readers join it. A
 * release's reason lives on the reservation, which its writer updates after the seats, so the
 * release rows are labelled by a trigger on that update (and at once, should a writer ever change
 * the status first).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE TABLE seat_history (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Copied from the reservation seat, whose own foreign keys vouch for it.
    showtime_id integer NOT NULL,
    seat_id integer NOT NULL,
    reservation_id uuid NOT NULL,
    event text NOT NULL CONSTRAINT seat_history_event_valid CHECK (event IN ('held', 'booked', 'released', 'checked_in')),
    -- Who did it, where that is known and is not the reservation's own user (the staff member at the door).
    actor_id integer REFERENCES users(id),
    -- Why a seat was released: the reservation's final status, and its cancel_reason.
    reason text CONSTRAINT seat_history_reason_valid CHECK (reason IN ('cancelled', 'expired')),
    cancel_reason text,
    -- clock_timestamp(), not now(): a hold that waited for another transaction's release is
    -- stamped after that release, not at its own transaction's start.
    occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT seat_history_reason_only_on_release CHECK (event = 'released' OR (reason IS NULL AND cancel_reason IS NULL)),
    CONSTRAINT seat_history_actor_only_at_checkin CHECK (event = 'checked_in' OR actor_id IS NULL),
    -- Every entry is of a seat some reservation had: one check per row, where foreign keys to
    -- reservations, showtimes and seats would be three (measured: about half the trigger's cost).
    -- A reservation seat deleted (only ever with its reservation) takes its history with it.
    CONSTRAINT seat_history_reservation_seat FOREIGN KEY (reservation_id, seat_id)
      REFERENCES reservation_seats (reservation_id, seat_id) ON DELETE CASCADE)`);
  // The read: one seat of one showtime, in the order written.
  await knex.raw('CREATE INDEX seat_history_seat ON seat_history (showtime_id, seat_id, id)');
  // The foreign key's cascade, and a release's reason written after its seats.
  await knex.raw('CREATE INDEX seat_history_reservation_seat ON seat_history (reservation_id, seat_id)');

  await knex.raw(`CREATE FUNCTION seat_history_held() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO seat_history (showtime_id, seat_id, reservation_id, event)
      SELECT showtime_id, seat_id, reservation_id, CASE WHEN state = 'booked' THEN 'booked' ELSE 'held' END
        FROM seat_history_new WHERE is_active ORDER BY id;
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER seat_history_held AFTER INSERT ON reservation_seats
    REFERENCING NEW TABLE AS seat_history_new FOR EACH STATEMENT EXECUTE FUNCTION seat_history_held()`);

  await knex.raw(`CREATE FUNCTION seat_history_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO seat_history (showtime_id, seat_id, reservation_id, event, reason, cancel_reason)
      SELECT n.showtime_id, n.seat_id, n.reservation_id, c.event,
             r.status::text, CASE WHEN r.status IS NOT NULL THEN r.cancel_reason END
        FROM seat_history_old o
        JOIN seat_history_new n ON n.id = o.id
        CROSS JOIN LATERAL (SELECT CASE
            WHEN o.is_active AND NOT n.is_active THEN 'released'
            WHEN n.is_active AND (NOT o.is_active OR o.state <> n.state) THEN CASE WHEN n.state = 'booked' THEN 'booked' ELSE 'held' END
          END AS event) c
        -- Only when a writer set the final status before releasing the seats.
        LEFT JOIN reservations r ON c.event = 'released' AND r.id = n.reservation_id AND r.status IN ('cancelled', 'expired')
       WHERE c.event IS NOT NULL
       ORDER BY n.id;
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER seat_history_changed AFTER UPDATE ON reservation_seats
    REFERENCING OLD TABLE AS seat_history_old NEW TABLE AS seat_history_new
    FOR EACH STATEMENT EXECUTE FUNCTION seat_history_changed()`);

  // The release's reason, once the reservation's final status is written after its seats.
  await knex.raw(`CREATE FUNCTION seat_history_release_reason() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE seat_history SET reason = NEW.status::text, cancel_reason = NEW.cancel_reason
       WHERE reservation_id = NEW.id AND event = 'released' AND reason IS NULL
         -- Written by this transaction (an older unlabelled release keeps its silence).
         AND occurred_at >= now();
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER seat_history_release_reason AFTER UPDATE OF status ON reservations
    FOR EACH ROW WHEN (NEW.status IN ('cancelled', 'expired') AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION seat_history_release_reason()`);

  // An admission: the staff member who scanned is the actor; the scan's time is when.
  await knex.raw(`CREATE FUNCTION seat_history_checked_in() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO seat_history (showtime_id, seat_id, reservation_id, event, actor_id, occurred_at)
      SELECT t.showtime_id, t.seat_id, t.reservation_id, 'checked_in', NEW.scanner_id, NEW.checked_in_at
        FROM tickets t WHERE t.id = NEW.ticket_id;
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER seat_history_checked_in AFTER INSERT ON checkins
    FOR EACH ROW EXECUTE FUNCTION seat_history_checked_in()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS seat_history_checked_in ON checkins');
  await knex.raw('DROP TRIGGER IF EXISTS seat_history_release_reason ON reservations');
  for (const t of ['seat_history_changed', 'seat_history_held']) {
    await knex.raw(`DROP TRIGGER IF EXISTS ${t} ON reservation_seats`);
  }
  for (const f of ['seat_history_checked_in', 'seat_history_release_reason', 'seat_history_changed', 'seat_history_held']) {
    await knex.raw(`DROP FUNCTION IF EXISTS ${f}()`);
  }
  await knex.raw('DROP TABLE IF EXISTS seat_history');
}
