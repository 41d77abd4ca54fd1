import { Model } from 'objection';

/**
 * A reservation's last outbound-event sequence number: written only by the event trigger
 * (migration 20261202000301), whose row lock keeps the sequence gap-free and in commit order.
 */
export class WebhookEventSequence extends Model {
  static tableName = 'webhook_event_sequences';
  static idColumn = 'reservation_id';

  reservation_id!: string;
  last_sequence!: number;
}
