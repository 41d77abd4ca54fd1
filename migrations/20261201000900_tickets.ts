import type { Knex } from 'knex';

/**
 * Tickets and admission (issue 18).
 *
 * - `tickets`: one per seat of a confirmed booking. Only the secret's SHA-256 is kept: the secret
 *   is an Ed25519 signature (deterministic), made again from the key when a ticket is shown, so a
 *   copy of this table prints no tickets.
 * - `checkins`: the admission itself. `ticket_id` is UNIQUE: however many gates scan a ticket at
 *   once, one insert wins and every other answers `already_used`.
 * - `checkin_scans`: every scan, whatever its result. `(scanner_id, nonce)` is UNIQUE so a
 *   scanner's retry finds its first answer instead of reading as a second scan.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tickets', (t) => {
    t.uuid('id').primary();
    t.uuid('reservation_id').notNullable().references('reservations.id').onDelete('CASCADE');
    t.integer('showtime_id').notNullable().references('showtimes.id');
    t.integer('seat_id').notNullable().references('seats.id');
    t.text('secret_hash').notNullable().unique();
    t.text('status').notNullable().defaultTo('issued');
    t.timestamp('issued_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('expired_at', { useTz: true });
    // A retried issue finds the tickets already there.
    t.unique(['reservation_id', 'seat_id']);
    t.index(['showtime_id']);
  });
  await knex.raw(`ALTER TABLE tickets ADD CONSTRAINT tickets_status_valid CHECK (status IN ('issued', 'revoked', 'expired'))`);

  await knex.schema.createTable('checkins', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('ticket_id').notNullable().unique().references('tickets.id').onDelete('CASCADE');
    t.timestamp('checked_in_at', { useTz: true }).notNullable();
    t.text('gate');
    t.integer('scanner_id').notNullable().references('users.id');
    t.boolean('offline').notNullable().defaultTo(false);
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('checkin_scans', (t) => {
    t.bigIncrements('id').primary();
    t.integer('scanner_id').notNullable().references('users.id');
    t.text('nonce').notNullable();
    t.text('gate');
    t.uuid('ticket_id').references('tickets.id').onDelete('SET NULL');
    // The showtime the scanner said it admits to, when it said.
    t.integer('showtime_id');
    t.text('result').notNullable();
    t.timestamp('scanned_at', { useTz: true }).notNullable();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.boolean('offline').notNullable().defaultTo(false);
    // The answer given, returned as it was to a retry with the same nonce.
    t.jsonb('response').notNullable();
    t.unique(['scanner_id', 'nonce']);
    t.index(['ticket_id']);
  });
  await knex.raw(`ALTER TABLE checkin_scans ADD CONSTRAINT checkin_scans_result_valid
    CHECK (result IN ('ok', 'already_used', 'revoked', 'wrong_showtime', 'too_early', 'invalid'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('checkin_scans');
  await knex.schema.dropTable('checkins');
  await knex.schema.dropTable('tickets');
}
