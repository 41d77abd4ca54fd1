import { Model, type RelationMappings } from 'objection';
import { Reservation } from './Reservation';

/**
 * A reservation's last webhook event sequence: the counter row `record_webhook_event()` (migration
 * 20261202000301) bumps and keeps locked until commit, so sequences are gap-free and in commit
 * order. Written only by that trigger function; the app never writes it.
 */
export class WebhookEventSequence extends Model {
  static tableName = 'webhook_event_sequences';
  static idColumn = 'reservation_id';

  reservation_id!: string;
  last_sequence!: number;
  reservation?: Reservation;

  static relationMappings = (): RelationMappings => ({
    reservation: { relation: Model.BelongsToOneRelation, modelClass: Reservation, join: { from: 'webhook_event_sequences.reservation_id', to: 'reservations.id' } },
  });
}
