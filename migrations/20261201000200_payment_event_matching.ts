import type { Knex } from 'knex';

/**
 * Payment events are matched against the payments we made (issue 23): the currency is part of
 * what a success must agree with, the lookup goes by the provider's payment id, and an event
 * that did not match stays on record with why, for operators.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('payments', (t) => {
    // Every payment so far was charged in euros (the only currency the activities used).
    t.text('currency').notNullable().defaultTo('eur');
    t.index(['provider_payment_id'], 'payments_provider_payment_id');
  });
  await knex.schema.alterTable('processed_webhook_events', (t) => {
    t.text('payment_id');
    t.text('outcome');
    t.text('rejection_reason');
  });
  await knex.raw(`CREATE INDEX processed_webhook_events_rejected ON processed_webhook_events (created_at) WHERE outcome = 'rejected'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS processed_webhook_events_rejected');
  await knex.schema.alterTable('processed_webhook_events', (t) => {
    t.dropColumns('payment_id', 'outcome', 'rejection_reason');
  });
  await knex.schema.alterTable('payments', (t) => {
    t.dropIndex(['provider_payment_id'], 'payments_provider_payment_id');
    t.dropColumn('currency');
  });
}
