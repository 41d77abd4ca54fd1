import type { RelationMappings } from 'objection';
import { BaseModel } from './BaseModel';
import { FakeProviderCharge } from './FakeProviderCharge';

/** The fake provider's ledger of refunds; its foreign key is the provider's "No such PaymentIntent". */
export class FakeProviderRefund extends BaseModel {
  static tableName = 'fake_provider_refunds';

  /** `re_fake_...`, derived from the idempotency key. */
  id!: string;
  charge_id!: string;
  idempotency_key!: string;
  /** numeric(10,2) as a decimal string */
  amount!: string;
  charge?: FakeProviderCharge;

  static relationMappings = (): RelationMappings => ({
    charge: {
      relation: BaseModel.BelongsToOneRelation,
      modelClass: FakeProviderCharge,
      join: { from: 'fake_provider_refunds.charge_id', to: 'fake_provider_charges.id' },
    },
  });
}
