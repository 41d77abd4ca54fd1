import type { Knex } from 'knex';

/** How many versions of each showtime's seat changes are kept for Last-Event-ID resumes. */
export const SEAT_EVENTS_KEPT_PER_SHOWTIME = 1000;

/**
 * Seat state where the seat map reads it, and a log of seat changes for the live stream.
 *
 * 1. `reservation_seats.state` ('held' | 'booked'): the seat map no longer joins `reservations`,
 *    so its plan cannot flip to a slow nested loop while a filling showtime has no statistics.
 *    Triggers keep it right for every writer (the API's hold, the worker's activities, an
 *    operator's SQL from the runbook) without any of them knowing about it.
 * 2. `seat_versions` + `seat_events` + `seat_event_changes`: each transaction that changes a
 *    showtime's seats gets the next version of that showtime and one event listing the seats it
 *    changed, and NOTIFYs `seat_events` with `<showtime id>:<version>` (delivered at commit).
 *    The version is taken by a deferred trigger, i.e. at COMMIT: the per-showtime row lock it
 *    takes is then held for an instant rather than across the hold's Temporal start, and
 *    versions commit in their own order, so a reader that has seen version v has seen all
 *    before it. Catalog edits that change the map (a seat out of service, a price, the showtime
 *    deleted or moved) take a version too, flagged `layout`: readers reload the whole map.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE reservation_seats ADD COLUMN state text NOT NULL DEFAULT 'held'
    CONSTRAINT reservation_seats_state_valid CHECK (state IN ('held', 'booked'))`);
  await knex.raw(`UPDATE reservation_seats rs SET state = 'booked'
    FROM reservations r WHERE r.id = rs.reservation_id AND r.status IN ('confirmed', 'completed')`);

  // A seat row inserted for a reservation that is already a booking (imports, tests, fixtures).
  await knex.raw(`CREATE FUNCTION reservation_seats_initial_state() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      SELECT CASE WHEN r.status IN ('confirmed', 'completed') THEN 'booked' ELSE 'held' END
        INTO NEW.state FROM reservations r WHERE r.id = NEW.reservation_id;
      NEW.state := coalesce(NEW.state, 'held');
      RETURN NEW;
    END $$`);
  await knex.raw(`CREATE TRIGGER reservation_seats_initial_state BEFORE INSERT ON reservation_seats
    FOR EACH ROW EXECUTE FUNCTION reservation_seats_initial_state()`);

  await knex.raw(`CREATE FUNCTION reservations_seat_state() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE wanted text := CASE WHEN NEW.status IN ('confirmed', 'completed') THEN 'booked' ELSE 'held' END;
    BEGIN
      UPDATE reservation_seats SET state = wanted
       WHERE reservation_id = NEW.id AND is_active AND state <> wanted;
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER reservations_seat_state AFTER UPDATE OF status ON reservations
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION reservations_seat_state()`);

  await knex.raw(`CREATE TABLE seat_versions (
    showtime_id integer PRIMARY KEY REFERENCES showtimes(id) ON DELETE CASCADE,
    version bigint NOT NULL)`);
  await knex.raw(`CREATE TABLE seat_events (
    showtime_id integer NOT NULL REFERENCES showtimes(id) ON DELETE CASCADE,
    version bigint NOT NULL,
    txid bigint NOT NULL,
    -- The map itself changed (a seat out of service, a price, the showtime deleted): readers reload it.
    layout boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (showtime_id, version))`);
  // The trigger finds its own transaction's event by this, once per changed seat.
  await knex.raw('CREATE INDEX seat_events_txid ON seat_events (txid)');
  // A row per seat rather than a jsonb array: a bulk change of n seats then costs n index
  // inserts, not n rewrites of a growing array.
  await knex.raw(`CREATE TABLE seat_event_changes (
    showtime_id integer NOT NULL,
    version bigint NOT NULL,
    seat_id integer NOT NULL,
    status text NOT NULL,
    PRIMARY KEY (showtime_id, version, seat_id),
    FOREIGN KEY (showtime_id, version) REFERENCES seat_events (showtime_id, version) ON DELETE CASCADE)`);

  // This transaction's event for the showtime, made (with the next version) on first use.
  await knex.raw(`CREATE FUNCTION seat_event_version(sid integer) RETURNS bigint LANGUAGE plpgsql AS $$
    DECLARE v bigint;
    BEGIN
      SELECT version INTO v FROM seat_events WHERE txid = txid_current() AND showtime_id = sid;
      IF v IS NOT NULL THEN RETURN v; END IF;
      -- Deleted in this very transaction (a hard delete with its reservations): nobody to tell.
      IF NOT EXISTS (SELECT 1 FROM showtimes WHERE id = sid) THEN RETURN NULL; END IF;
      INSERT INTO seat_versions AS sv (showtime_id, version) VALUES (sid, 1)
        ON CONFLICT (showtime_id) DO UPDATE SET version = sv.version + 1
        RETURNING version INTO v;
      INSERT INTO seat_events (showtime_id, version, txid) VALUES (sid, v, txid_current());
      DELETE FROM seat_events WHERE showtime_id = sid AND version = v - ${SEAT_EVENTS_KEPT_PER_SHOWTIME};
      PERFORM pg_notify('seat_events', sid || ':' || v);
      RETURN v;
    END $$`);

  await knex.raw(`CREATE FUNCTION record_seat_change() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      row_id bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
      sid integer := CASE WHEN TG_OP = 'DELETE' THEN OLD.showtime_id ELSE NEW.showtime_id END;
      seat integer := CASE WHEN TG_OP = 'DELETE' THEN OLD.seat_id ELSE NEW.seat_id END;
      now_status text;
      v bigint;
    BEGIN
      -- Deferred to COMMIT: the row as the transaction leaves it, whatever happened in between.
      SELECT CASE WHEN is_active THEN state ELSE 'available' END INTO now_status FROM reservation_seats WHERE id = row_id;
      now_status := coalesce(now_status, 'available');
      v := seat_event_version(sid);
      IF v IS NULL THEN RETURN NULL; END IF;
      INSERT INTO seat_event_changes (showtime_id, version, seat_id, status) VALUES (sid, v, seat, now_status)
        ON CONFLICT (showtime_id, version, seat_id) DO UPDATE SET status = EXCLUDED.status;
      RETURN NULL;
    END $$`);

  // Catalog edits that change what the map shows, for showtimes still to come.
  await knex.raw(`CREATE FUNCTION record_layout_change() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE sid integer; v bigint;
    BEGIN
      FOR sid IN
        SELECT id FROM showtimes
         WHERE starts_at > now()
           AND ((TG_TABLE_NAME = 'seats' AND auditorium_id = NEW.auditorium_id AND NOT is_deleted)
             OR (TG_TABLE_NAME = 'showtimes' AND id = NEW.id))
      LOOP
        v := seat_event_version(sid);
        IF v IS NOT NULL THEN UPDATE seat_events SET layout = true WHERE showtime_id = sid AND version = v; END IF;
      END LOOP;
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE CONSTRAINT TRIGGER seat_layout_change AFTER UPDATE ON seats
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ((OLD.is_active, OLD.is_deleted, OLD.seat_type, OLD.price_modifier) IS DISTINCT FROM (NEW.is_active, NEW.is_deleted, NEW.seat_type, NEW.price_modifier))
    EXECUTE FUNCTION record_layout_change()`);
  await knex.raw(`CREATE CONSTRAINT TRIGGER showtime_layout_change AFTER UPDATE ON showtimes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ((OLD.base_price, OLD.is_deleted, OLD.auditorium_id, OLD.starts_at) IS DISTINCT FROM (NEW.base_price, NEW.is_deleted, NEW.auditorium_id, NEW.starts_at))
    EXECUTE FUNCTION record_layout_change()`);
  await knex.raw(`CREATE CONSTRAINT TRIGGER seat_change_insert AFTER INSERT ON reservation_seats
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.is_active) EXECUTE FUNCTION record_seat_change()`);
  await knex.raw(`CREATE CONSTRAINT TRIGGER seat_change_update AFTER UPDATE ON reservation_seats
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.is_active IS DISTINCT FROM NEW.is_active OR (NEW.is_active AND OLD.state IS DISTINCT FROM NEW.state))
    EXECUTE FUNCTION record_seat_change()`);
  await knex.raw(`CREATE CONSTRAINT TRIGGER seat_change_delete AFTER DELETE ON reservation_seats
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.is_active) EXECUTE FUNCTION record_seat_change()`);
}

export async function down(knex: Knex): Promise<void> {
  for (const t of ['seat_change_delete', 'seat_change_update', 'seat_change_insert', 'reservation_seats_initial_state']) {
    await knex.raw(`DROP TRIGGER IF EXISTS ${t} ON reservation_seats`);
  }
  await knex.raw('DROP TRIGGER IF EXISTS reservations_seat_state ON reservations');
  await knex.raw('DROP TRIGGER IF EXISTS seat_layout_change ON seats');
  await knex.raw('DROP TRIGGER IF EXISTS showtime_layout_change ON showtimes');
  await knex.raw('DROP FUNCTION IF EXISTS record_layout_change()');
  await knex.raw('DROP FUNCTION IF EXISTS record_seat_change()');
  await knex.raw('DROP FUNCTION IF EXISTS seat_event_version(integer)');
  await knex.raw('DROP FUNCTION IF EXISTS reservations_seat_state()');
  await knex.raw('DROP FUNCTION IF EXISTS reservation_seats_initial_state()');
  await knex.raw('DROP TABLE IF EXISTS seat_event_changes');
  await knex.raw('DROP TABLE IF EXISTS seat_events');
  await knex.raw('DROP TABLE IF EXISTS seat_versions');
  await knex.raw('ALTER TABLE reservation_seats DROP COLUMN IF EXISTS state');
}
