import type { Knex } from 'knex';

/** Adds created_at, updated_at and is_deleted, the audit fields every table carries. */
function auditFields(knex: Knex, t: Knex.CreateTableBuilder): void {
  t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  t.boolean('is_deleted').notNullable().defaultTo(false);
}

export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE EXTENSION IF NOT EXISTS btree_gist');
  await knex.raw('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  await knex.raw(`CREATE TYPE user_role AS ENUM ('user', 'staff', 'admin')`);
  await knex.raw(`CREATE TYPE seat_type AS ENUM ('regular', 'premium', 'wheelchair')`);
  await knex.raw(
    `CREATE TYPE reservation_status AS ENUM ('held', 'pending_payment', 'confirmed', 'cancelled', 'expired', 'completed')`,
  );
  await knex.raw(`CREATE TYPE payment_status AS ENUM ('pending', 'succeeded', 'failed', 'refunded')`);

  await knex.schema.createTable('users', (t) => {
    t.increments('id').primary();
    t.text('name').notNullable();
    t.text('email').notNullable();
    t.text('password_hash').notNullable();
    t.specificType('role', 'user_role').notNullable().defaultTo('user');
    t.text('phone');
    t.boolean('is_active').notNullable().defaultTo(true);
    auditFields(knex, t);
  });
  await knex.raw('CREATE UNIQUE INDEX users_email_lower_unique ON users (lower(email))');

  await knex.schema.createTable('refresh_tokens', (t) => {
    t.bigIncrements('id').primary();
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('token_hash').notNullable().unique();
    t.uuid('family_id').notNullable().index();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    auditFields(knex, t);
  });

  await knex.schema.createTable('movies', (t) => {
    t.increments('id').primary();
    t.text('title').notNullable();
    t.text('description');
    t.integer('duration_minutes').notNullable();
    t.text('genre');
    t.text('rating');
    t.text('poster_url');
    auditFields(knex, t);
    t.check('duration_minutes > 0 AND duration_minutes <= 1440', [], 'movies_duration_positive');
  });
  await knex.raw('CREATE INDEX movies_title_trgm ON movies USING gin (lower(title) gin_trgm_ops)');
  await knex.raw('CREATE INDEX movies_genre ON movies (lower(genre))');

  await knex.schema.createTable('auditoriums', (t) => {
    t.increments('id').primary();
    t.text('name').notNullable();
    auditFields(knex, t);
  });
  await knex.raw('CREATE UNIQUE INDEX auditoriums_name_unique ON auditoriums (lower(name)) WHERE NOT is_deleted');

  await knex.schema.createTable('seats', (t) => {
    t.increments('id').primary();
    t.integer('auditorium_id').notNullable().references('auditoriums.id').onDelete('CASCADE');
    t.text('row').notNullable();
    t.integer('number').notNullable();
    t.specificType('seat_type', 'seat_type').notNullable().defaultTo('regular');
    t.decimal('price_modifier', 10, 2).notNullable().defaultTo(0);
    t.boolean('is_active').notNullable().defaultTo(true);
    auditFields(knex, t);
    t.unique(['auditorium_id', 'row', 'number']);
    t.check('number > 0', [], 'seats_number_positive');
  });

  await knex.schema.createTable('showtimes', (t) => {
    t.increments('id').primary();
    t.integer('movie_id').notNullable().references('movies.id');
    t.integer('auditorium_id').notNullable().references('auditoriums.id');
    t.timestamp('starts_at', { useTz: true }).notNullable();
    t.timestamp('ends_at', { useTz: true }).notNullable();
    t.decimal('base_price', 10, 2).notNullable();
    auditFields(knex, t);
    t.check('ends_at > starts_at', [], 'showtimes_ends_after_start');
    t.check('base_price >= 0', [], 'showtimes_price_nonnegative');
    t.index(['movie_id', 'starts_at']);
    t.index(['starts_at']);
  });
  // Two showtimes can never overlap in one auditorium, even when created concurrently.
  await knex.raw(`
    ALTER TABLE showtimes ADD CONSTRAINT showtimes_no_overlap
    EXCLUDE USING gist (auditorium_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (NOT is_deleted)`);

  await knex.schema.createTable('reservations', (t) => {
    t.uuid('id').primary();
    t.integer('user_id').notNullable().references('users.id');
    t.integer('showtime_id').notNullable().references('showtimes.id');
    t.specificType('status', 'reservation_status').notNullable().defaultTo('held');
    t.decimal('total_price', 10, 2).notNullable();
    t.timestamp('hold_expires_at', { useTz: true }).notNullable();
    t.timestamp('confirmed_at', { useTz: true });
    t.timestamp('cancelled_at', { useTz: true });
    t.timestamp('expired_at', { useTz: true });
    t.timestamp('completed_at', { useTz: true });
    t.text('cancel_reason');
    t.decimal('refund_amount', 10, 2);
    t.text('payment_id');
    t.text('payment_error');
    t.text('idempotency_key');
    t.text('workflow_id').notNullable().unique();
    auditFields(knex, t);
    t.unique(['user_id', 'idempotency_key']);
    t.index(['user_id', 'created_at']);
    t.index(['showtime_id', 'status']);
    t.check('total_price >= 0', [], 'reservations_total_nonnegative');
  });

  await knex.schema.createTable('reservation_seats', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('reservation_id').notNullable().references('reservations.id').onDelete('CASCADE');
    t.integer('showtime_id').notNullable().references('showtimes.id');
    t.integer('seat_id').notNullable().references('seats.id');
    t.decimal('price_at_booking', 10, 2).notNullable();
    // True while the reservation holds or owns the seat; releasing a reservation clears it.
    t.boolean('is_active').notNullable().defaultTo(true);
    auditFields(knex, t);
    t.unique(['reservation_id', 'seat_id']);
    t.check('price_at_booking >= 0', [], 'reservation_seats_price_nonnegative');
  });
  // The no-double-booking invariant: a seat of a showtime is in at most one active reservation.
  await knex.raw(
    'CREATE UNIQUE INDEX reservation_seats_one_active_per_seat ON reservation_seats (showtime_id, seat_id) WHERE is_active',
  );
  await knex.raw('CREATE INDEX reservation_seats_reservation ON reservation_seats (reservation_id)');

  await knex.schema.createTable('payments', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('reservation_id').notNullable().references('reservations.id');
    t.text('provider').notNullable();
    t.text('provider_payment_id');
    t.text('idempotency_key').notNullable().unique();
    t.text('payment_method').notNullable();
    t.decimal('amount', 10, 2).notNullable();
    t.decimal('refunded_amount', 10, 2).notNullable().defaultTo(0);
    t.specificType('status', 'payment_status').notNullable();
    t.text('failure_reason');
    auditFields(knex, t);
    t.index(['reservation_id']);
    t.check('amount >= 0 AND refunded_amount >= 0 AND refunded_amount <= amount', [], 'payments_amounts_valid');
  });

  // The built-in fake provider's own ledger: what a real provider would keep on its side.
  await knex.schema.createTable('fake_provider_charges', (t) => {
    t.text('id').primary();
    t.text('idempotency_key').notNullable().unique();
    t.text('payment_method').notNullable();
    t.decimal('amount', 10, 2).notNullable();
    t.text('status').notNullable();
    t.jsonb('metadata').notNullable().defaultTo('{}');
    auditFields(knex, t);
  });
  await knex.schema.createTable('fake_provider_refunds', (t) => {
    t.text('id').primary();
    t.text('charge_id').notNullable().references('fake_provider_charges.id');
    t.text('idempotency_key').notNullable().unique();
    t.decimal('amount', 10, 2).notNullable();
    auditFields(knex, t);
  });

  await knex.schema.createTable('processed_webhook_events', (t) => {
    t.text('event_id').primary();
    t.text('type').notNullable();
    t.uuid('reservation_id');
    auditFields(knex, t);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'processed_webhook_events',
    'fake_provider_refunds',
    'fake_provider_charges',
    'payments',
    'reservation_seats',
    'reservations',
    'showtimes',
    'seats',
    'auditoriums',
    'movies',
    'refresh_tokens',
    'users',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
  for (const type of ['payment_status', 'reservation_status', 'seat_type', 'user_role']) {
    await knex.raw(`DROP TYPE IF EXISTS ${type}`);
  }
}
