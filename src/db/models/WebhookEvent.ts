import { Model, type Modifiers, type QueryBuilder, type RelationMappings } from 'objection';
import type { WebhookEventType } from '../../webhooks/eventTypes';
import { Reservation } from './Reservation';
import { WebhookDelivery } from './WebhookDelivery';

/**
 * The outbox: written by triggers (migration 20261202000301) in the transaction of the change it
 * reports, never by application code. `sequence` orders a reservation's events.
 */
export class WebhookEvent extends Model {
  static tableName = 'webhook_events';

  id!: string;
  position!: number;
  type!: WebhookEventType;
  reservation_id!: string;
  sequence!: number;
  /** The changed row as committed: a reservation (columns as in the table) or a check-in. */
  data!: Record<string, unknown>;
  created_at!: Date;
  dispatched_at!: Date | null;
  reservation?: Reservation;
  deliveries?: WebhookDelivery[];

  static modifiers: Modifiers<QueryBuilder<WebhookEvent>> = {
    /** Events no delivery workflow was started for yet (the webhook_events_undispatched index). */
    undispatched(query) {
      query.whereNull('webhook_events.dispatched_at');
    },
  };

  static relationMappings = (): RelationMappings => ({
    reservation: { relation: Model.BelongsToOneRelation, modelClass: Reservation, join: { from: 'webhook_events.reservation_id', to: 'reservations.id' } },
    deliveries: { relation: Model.HasManyRelation, modelClass: WebhookDelivery, join: { from: 'webhook_events.id', to: 'webhook_deliveries.event_id' } },
  });
}
