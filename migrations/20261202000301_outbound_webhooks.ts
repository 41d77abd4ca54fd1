import type { Knex } from 'knex';

/** The event types an endpoint may subscribe to (as src/webhooks/eventTypes.ts lists them when this was written). */
const WEBHOOK_EVENT_TYPES = [
  'reservation.held',
  'reservation.confirmed',
  'reservation.cancelled',
  'reservation.expired',
  'reservation.refunded',
  'reservation.completed',
  'ticket.checked_in',
] as const;

const typeList = WEBHOOK_EVENT_TYPES.map((t) => `'${t}'`).join(', ');

/**
 * Outbound webhooks (issue 19, part 4).
 *
 * - `webhook_endpoints`: where admins want events sent, which ones, and the secret they are signed with.
 * - `webhook_events`: the outbox. Triggers write a row in the SAME transaction as the change it
 *   reports (a reservation's status, a refund recorded, a check-in), so an event exists exactly
 *   when its change committed, whoever made it (the API's hold, an activity, an operator's SQL).
 *   Each event of a reservation gets the next `sequence` of that reservation: the counter row in
 *   `webhook_event_sequences` is locked until commit, so sequences are gap-free and in commit
 *   order. Events are written only while some live endpoint subscribes to their type.
 *   `dispatched_at` is set once delivery workflows were started for the event; the NOTIFY on
 *   `webhook_events` (sent at commit) wakes the dispatcher, a sweep catches what it missed.
 * - `webhook_deliveries`: one per (endpoint, event): the delivery log an admin reads.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhook_endpoints', (t) => {
    t.increments('id').primary();
    t.text('url').notNullable();
    t.specificType('events', 'text[]').notNullable();
    t.text('description');
    // Needed in clear to sign each delivery; shown to the admin once, at creation.
    t.text('secret').notNullable();
    t.integer('created_by').references('users.id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.boolean('is_deleted').notNullable().defaultTo(false);
  });
  await knex.raw(`ALTER TABLE webhook_endpoints
    ADD CONSTRAINT webhook_endpoints_url_http CHECK (url LIKE 'http://%' OR url LIKE 'https://%'),
    ADD CONSTRAINT webhook_endpoints_events_valid CHECK (cardinality(events) > 0 AND events <@ ARRAY[${typeList}]::text[]),
    ADD CONSTRAINT webhook_endpoints_secret_format CHECK (secret LIKE 'whsec_%')`);

  await knex.raw(`CREATE TABLE webhook_event_sequences (
    reservation_id uuid PRIMARY KEY REFERENCES reservations(id) ON DELETE CASCADE,
    last_sequence integer NOT NULL)`);

  await knex.raw(`CREATE TABLE webhook_events (
    id text PRIMARY KEY,
    -- Global order of commit (per reservation; across reservations only roughly): the dispatcher's.
    position bigserial NOT NULL UNIQUE,
    type text NOT NULL CONSTRAINT webhook_events_type_valid CHECK (type IN (${typeList})),
    reservation_id uuid NOT NULL REFERENCES reservations(id) ON DELETE CASCADE,
    sequence integer NOT NULL CONSTRAINT webhook_events_sequence_positive CHECK (sequence > 0),
    -- The changed row as it was committed (a reservation, or a check-in), rendered at delivery.
    data jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    dispatched_at timestamptz,
    CONSTRAINT webhook_events_one_per_sequence UNIQUE (reservation_id, sequence))`);
  await knex.raw('CREATE INDEX webhook_events_undispatched ON webhook_events (position) WHERE dispatched_at IS NULL');

  await knex.raw(`CREATE TABLE webhook_deliveries (
    id serial PRIMARY KEY,
    endpoint_id integer NOT NULL REFERENCES webhook_endpoints(id),
    event_id text NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
    status text NOT NULL DEFAULT 'pending' CONSTRAINT webhook_deliveries_status_valid CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts integer NOT NULL DEFAULT 0 CONSTRAINT webhook_deliveries_attempts_nonnegative CHECK (attempts >= 0),
    -- How many times an admin asked to send it again (each a workflow of its own).
    redeliveries integer NOT NULL DEFAULT 0,
    last_status_code integer,
    last_error text,
    last_attempt_at timestamptz,
    next_attempt_at timestamptz,
    delivered_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_deliveries_one_per_endpoint_event UNIQUE (endpoint_id, event_id),
    CONSTRAINT webhook_deliveries_delivered_has_time CHECK (status <> 'delivered' OR delivered_at IS NOT NULL))`);
  await knex.raw('CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id)');

  // Writes the event (when someone subscribes to its type) with the reservation's next sequence.
  await knex.raw(`CREATE FUNCTION record_webhook_event(event_type text, rid uuid, payload jsonb) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE seq integer;
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE NOT is_deleted AND event_type = ANY(events)) THEN RETURN; END IF;
      INSERT INTO webhook_event_sequences AS s (reservation_id, last_sequence) VALUES (rid, 1)
        ON CONFLICT (reservation_id) DO UPDATE SET last_sequence = s.last_sequence + 1
        RETURNING last_sequence INTO seq;
      INSERT INTO webhook_events (id, type, reservation_id, sequence, data)
        VALUES ('evt_' || replace(gen_random_uuid()::text, '-', ''), event_type, rid, seq, payload);
      PERFORM pg_notify('webhook_events', '');
    END $$`);

  // A reservation as committed, with money as the API writes it ("12.50", not 12.5).
  await knex.raw(`CREATE FUNCTION reservation_webhook_events() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      snapshot jsonb := to_jsonb(NEW) || jsonb_build_object('total_price', NEW.total_price::text, 'refund_amount', NEW.refund_amount::text);
      status_event text := CASE NEW.status
        WHEN 'held' THEN 'reservation.held' WHEN 'confirmed' THEN 'reservation.confirmed'
        WHEN 'cancelled' THEN 'reservation.cancelled' WHEN 'expired' THEN 'reservation.expired'
        WHEN 'completed' THEN 'reservation.completed' END;
    BEGIN
      -- Back to held after a declined payment is not news: only the first hold is.
      IF status_event IS NOT NULL AND (TG_OP = 'INSERT' OR (OLD.status IS DISTINCT FROM NEW.status AND NEW.status <> 'held')) THEN
        PERFORM record_webhook_event(status_event, NEW.id, snapshot);
      END IF;
      IF coalesce(NEW.refund_amount, 0) > 0 AND (TG_OP = 'INSERT' OR OLD.refund_amount IS DISTINCT FROM NEW.refund_amount) THEN
        PERFORM record_webhook_event('reservation.refunded', NEW.id, snapshot);
      END IF;
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER reservation_webhook_events AFTER INSERT OR UPDATE OF status, refund_amount ON reservations
    FOR EACH ROW EXECUTE FUNCTION reservation_webhook_events()`);

  await knex.raw(`CREATE FUNCTION checkin_webhook_events() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE t record;
    BEGIN
      SELECT reservation_id, showtime_id, seat_id INTO t FROM tickets WHERE id = NEW.ticket_id;
      IF t.reservation_id IS NULL THEN RETURN NULL; END IF;
      PERFORM record_webhook_event('ticket.checked_in', t.reservation_id, jsonb_build_object(
        'object', 'checkin', 'id', NEW.id, 'ticket_id', NEW.ticket_id, 'reservation_id', t.reservation_id,
        'showtime_id', t.showtime_id, 'seat_id', t.seat_id, 'checked_in_at', NEW.checked_in_at,
        'gate', NEW.gate, 'offline', NEW.offline));
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER checkin_webhook_events AFTER INSERT ON checkins
    FOR EACH ROW EXECUTE FUNCTION checkin_webhook_events()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS checkin_webhook_events ON checkins');
  await knex.raw('DROP TRIGGER IF EXISTS reservation_webhook_events ON reservations');
  await knex.raw('DROP FUNCTION IF EXISTS checkin_webhook_events()');
  await knex.raw('DROP FUNCTION IF EXISTS reservation_webhook_events()');
  await knex.raw('DROP FUNCTION IF EXISTS record_webhook_event(text, uuid, jsonb)');
  await knex.raw('DROP TABLE IF EXISTS webhook_deliveries');
  await knex.raw('DROP TABLE IF EXISTS webhook_events');
  await knex.raw('DROP TABLE IF EXISTS webhook_event_sequences');
  await knex.raw('DROP TABLE IF EXISTS webhook_endpoints');
}
