import type { Knex } from 'knex';

/**
 * When each refresh-token family began (its login), carried by every rotation, so a family gets
 * an absolute lifetime: rotating forever no longer keeps a stolen session alive. Existing
 * families count from their oldest surviving token, the best record there is.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('refresh_tokens', (t) => {
    t.timestamp('family_started_at', { useTz: true });
  });
  await knex.raw(`UPDATE refresh_tokens rt SET family_started_at = f.started
    FROM (SELECT family_id, min(created_at) AS started FROM refresh_tokens GROUP BY family_id) f
    WHERE f.family_id = rt.family_id`);
  await knex.raw('ALTER TABLE refresh_tokens ALTER COLUMN family_started_at SET NOT NULL, ALTER COLUMN family_started_at SET DEFAULT now()');
  // The purge deletes by expiry; without it every run reads the whole table.
  await knex.raw('CREATE INDEX refresh_tokens_expires_at ON refresh_tokens (expires_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS refresh_tokens_expires_at');
  await knex.schema.alterTable('refresh_tokens', (t) => {
    t.dropColumn('family_started_at');
  });
}
