import type { Knex } from 'knex';

/**
 * Fixed-window counters shared by every API process (login and signup limits).
 *
 * UNLOGGED: the counters are throw-away state written on every attempt, so they skip the WAL;
 * after a crash or a failover they start from zero, which only forgives a few attempts.
 * No audit fields: rows are deleted outright once their window has passed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE UNLOGGED TABLE rate_limits (
      key text PRIMARY KEY,
      hits integer NOT NULL CHECK (hits >= 0),
      expires_at timestamptz NOT NULL
    )`);
  await knex.raw('CREATE INDEX rate_limits_expires_at ON rate_limits (expires_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('rate_limits');
}
