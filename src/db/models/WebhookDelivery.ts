import { Model, type RelationMappings } from 'objection';
import { WebhookEvent } from './WebhookEvent';

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

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

  static relationMappings = (): RelationMappings => ({
    event: {
      relation: Model.BelongsToOneRelation,
      modelClass: WebhookEvent,
      join: { from: 'webhook_deliveries.event_id', to: 'webhook_events.id' },
    },
  });

  $beforeUpdate(): void {
    this.updated_at = new Date();
  }
}
