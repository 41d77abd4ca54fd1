import type { Modifiers, QueryBuilder, RelationMappings } from 'objection';
import type { PaymentRejectionReason } from '../../../workflows/shared';
import { BaseModel } from './BaseModel';
import { Reservation } from './Reservation';

/** A provider event seen once: its id makes a redelivery a duplicate; a refused one keeps why. */
export class ProcessedWebhookEvent extends BaseModel {
  static tableName = 'processed_webhook_events';
  static idColumn = 'event_id';

  event_id!: string;
  type!: string;
  /** The reservation the event named, when that was a well-formed id. */
  reservation_id!: string | null;
  payment_id!: string | null;
  /** `rejected` when it did not match a payment we made; null otherwise. */
  outcome!: 'rejected' | null;
  rejection_reason!: PaymentRejectionReason | null;
  reservation?: Reservation;

  static modifiers: Modifiers<QueryBuilder<BaseModel>> = {
    ...BaseModel.modifiers,
    /** Events refused for not matching our payments (the partial index processed_webhook_events_rejected). */
    rejected(query) {
      query.where('processed_webhook_events.outcome', 'rejected');
    },
  };

  static relationMappings = (): RelationMappings => ({
    reservation: {
      relation: BaseModel.BelongsToOneRelation,
      modelClass: Reservation,
      join: { from: 'processed_webhook_events.reservation_id', to: 'reservations.id' },
    },
  });
}
