import { Model } from 'objection';
import type { WebhookEventType } from '../../webhooks/eventTypes';

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
}
