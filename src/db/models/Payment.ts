import type { Modifiers, QueryBuilder, RelationMappings } from 'objection';
import { BaseModel } from './BaseModel';
import { Reservation } from './Reservation';

export type PaymentStatus = 'pending' | 'succeeded' | 'failed' | 'refunded';

/** Our record of a charge made at the provider for a reservation (one per idempotency key). */
export class Payment extends BaseModel {
  static tableName = 'payments';

  id!: number;
  reservation_id!: string;
  /** The provider's name (`fake`, `stripe`). */
  provider!: string;
  /** The provider's id of the payment (a PaymentIntent id); events name it. */
  provider_payment_id!: string | null;
  idempotency_key!: string;
  payment_method!: string;
  /** numeric(10,2) as a decimal string */
  amount!: string;
  /** numeric(10,2) as a decimal string */
  refunded_amount!: string;
  currency!: string;
  status!: PaymentStatus;
  failure_reason!: string | null;
  reservation?: Reservation;

  static modifiers: Modifiers<QueryBuilder<BaseModel>> = {
    ...BaseModel.modifiers,
    /** The payment a provider event or a refund names: `.modify('ofProviderPayment', id)`. */
    ofProviderPayment(query, providerPaymentId: string) {
      query.where('payments.provider_payment_id', providerPaymentId);
    },
  };

  static relationMappings = (): RelationMappings => ({
    reservation: {
      relation: BaseModel.BelongsToOneRelation,
      modelClass: Reservation,
      join: { from: 'payments.reservation_id', to: 'reservations.id' },
    },
  });
}
