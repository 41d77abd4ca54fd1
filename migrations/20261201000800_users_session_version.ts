import type { Knex } from 'knex';

/**
 * Access tokens are stateless JWTs valid for 15 minutes; a password change or a disabled account
 * must end the other sessions at once. Each token carries the version it was issued under, and
 * raising the version refuses every older one (a counter, not a time: JWT times have whole
 * seconds, and a cut-off time would spare tokens of the same second or refuse the new one).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.integer('session_version').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('session_version');
  });
}
