import type { Knex } from 'knex';

/**
 * Failed logins per (e-mail, client address), with the time until which that pair must wait.
 * Kept apart from rate_limits because a pair is not a fixed window: each failure past the free
 * ones doubles the wait. UNLOGGED and keyed by a hash, as rate_limits is, for the same reasons.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE UNLOGGED TABLE login_backoff (
      key text PRIMARY KEY,
      failures integer NOT NULL CHECK (failures >= 0),
      blocked_until timestamptz,
      expires_at timestamptz NOT NULL
    )`);
  await knex.raw('CREATE INDEX login_backoff_expires_at ON login_backoff (expires_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('login_backoff');
}
