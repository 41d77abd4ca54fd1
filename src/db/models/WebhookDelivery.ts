import { Model, type Modifiers, type QueryBuilder, type RelationMappings } from 'objection';
import { WebhookEndpoint } from './WebhookEndpoint';
import { WebhookEvent } from './WebhookEvent';

/** A delivery's states, listed once: the API's enums take them from here (the migration's CHECK lists the same). */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** One event for one endpoint: the delivery log. Its workflow is `webhook-<endpoint id>-<event id>`. */
export class WebhookDelivery extends Model {
  static tableName = 'webhook_deliveries';

  id!: number;
  endpoint_id!: number;
  event_id!: string;
  status!: WebhookDeliveryStatus;
  attempts!: number;
  redeliveries!: number;
  last_status_code!: number | null;
  last_error!: string | null;
  last_attempt_at!: Date | null;
  next_attempt_at!: Date | null;
  delivered_at!: Date | null;
  created_at!: Date;
  updated_at!: Date;
  event?: WebhookEvent;
  endpoint?: WebhookEndpoint;

  static modifiers: Modifiers<QueryBuilder<WebhookDelivery>> = {
    /** Deliveries still owed: waiting for earlier events or being retried. */
    pending(query) {
      query.where('webhook_deliveries.status', 'pending');
    },
  };

  static relationMappings = (): RelationMappings => ({
    event: {
      relation: Model.BelongsToOneRelation,
      modelClass: WebhookEvent,
      join: { from: 'webhook_deliveries.event_id', to: 'webhook_events.id' },
    },
    endpoint: {
      relation: Model.BelongsToOneRelation,
      modelClass: WebhookEndpoint,
      join: { from: 'webhook_deliveries.endpoint_id', to: 'webhook_endpoints.id' },
    },
  });

  $beforeUpdate(): void {
    this.updated_at = new Date();
  }
}
