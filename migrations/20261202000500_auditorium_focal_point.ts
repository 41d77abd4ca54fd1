import type { Knex } from 'knex';

/**
 * Where an auditorium's best view is, for the best-available chooser (issue 21): a row label and
 * a seat number in it, a half for the gap between two seats (10.5). Both null (the default): the
 * centre of the middle rows. That the row exists is the API's check; the database keeps the pair
 * whole and the number sensible.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('auditoriums', (t) => {
    t.text('focal_row');
    t.decimal('focal_seat', 6, 1);
  });
  await knex.raw(`
    ALTER TABLE auditoriums ADD CONSTRAINT auditoriums_focal_point_valid CHECK (
      (focal_row IS NULL AND focal_seat IS NULL)
      OR (focal_row IS NOT NULL AND focal_seat IS NOT NULL AND focal_seat >= 1 AND focal_seat * 2 = trunc(focal_seat * 2))
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE auditoriums DROP CONSTRAINT IF EXISTS auditoriums_focal_point_valid');
  await knex.schema.alterTable('auditoriums', (t) => {
    t.dropColumn('focal_row');
    t.dropColumn('focal_seat');
  });
}
