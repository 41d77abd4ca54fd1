import { raw, type Modifiers, type QueryBuilder, type RelationMappings } from 'objection';
import { BaseModel } from './BaseModel';
import { FakeProviderRefund } from './FakeProviderRefund';

/**
 * The dev-only fake provider's ledger of charges: what a real provider keeps on its side,
 * including the webhook it still owes for an asynchronous outcome.
 */
export class FakeProviderCharge extends BaseModel {
  static tableName = 'fake_provider_charges';
  /** jsonb: written as JSON text, read back as the object. */
  static jsonAttributes = ['metadata'];

  /** `pi_fake_...`, derived from the idempotency key. */
  id!: string;
  idempotency_key!: string;
  payment_method!: string;
  /** numeric(10,2) as a decimal string */
  amount!: string;
  status!: 'succeeded' | 'declined' | 'pending' | 'failed';
  metadata!: { reservation_id?: string };
  /** What a pending charge becomes when its webhook is delivered. */
  async_outcome!: 'succeeded' | 'failed' | null;
  webhook_next_at!: Date | null;
  webhook_attempts!: number;
  webhook_delivered_at!: Date | null;
  webhook_last_error!: string | null;
  refunds?: FakeProviderRefund[];

  static modifiers: Modifiers<QueryBuilder<BaseModel>> = {
    ...BaseModel.modifiers,
    /** Outcomes whose webhook is owed and due now (the partial index fake_provider_charges_webhooks_due). */
    webhookDue(query) {
      query
        .whereNotNull('fake_provider_charges.async_outcome')
        .whereNull('fake_provider_charges.webhook_delivered_at')
        .where('fake_provider_charges.webhook_next_at', '<=', raw('now()'));
    },
  };

  static relationMappings = (): RelationMappings => ({
    refunds: {
      relation: BaseModel.HasManyRelation,
      modelClass: FakeProviderRefund,
      join: { from: 'fake_provider_charges.id', to: 'fake_provider_refunds.charge_id' },
    },
  });
}
