import type { Knex } from 'knex';

/**
 * The fake provider delivers its asynchronous outcomes by webhook, durably, as a real provider
 * does: what is owed to whom lives in its ledger, so a worker restart loses no delivery.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('fake_provider_charges', (t) => {
    t.text('async_outcome');
    t.timestamp('webhook_next_at', { useTz: true });
    t.integer('webhook_attempts').notNullable().defaultTo(0);
    t.timestamp('webhook_delivered_at', { useTz: true });
    t.text('webhook_last_error');
  });
  await knex.raw(`ALTER TABLE fake_provider_charges ADD CONSTRAINT fake_provider_charges_async_outcome
    CHECK (async_outcome IS NULL OR async_outcome IN ('succeeded', 'failed'))`);
  await knex.raw(`CREATE INDEX fake_provider_charges_webhooks_due ON fake_provider_charges (webhook_next_at)
    WHERE async_outcome IS NOT NULL AND webhook_delivered_at IS NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS fake_provider_charges_webhooks_due');
  await knex.schema.alterTable('fake_provider_charges', (t) => {
    t.dropChecks(['fake_provider_charges_async_outcome']);
    t.dropColumns('async_outcome', 'webhook_next_at', 'webhook_attempts', 'webhook_delivered_at', 'webhook_last_error');
  });
}
