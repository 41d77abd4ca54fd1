import { Model, type RelationMappings } from 'objection';
import { Ticket } from './Ticket';
import { User } from './User';

/** A ticket's admission: UNIQUE ticket_id, so of any number of concurrent scans one insert wins. */
export class Checkin extends Model {
  static tableName = 'checkins';

  id!: number;
  ticket_id!: string;
  /** When the admitting scan happened (the device's clock for an offline upload). */
  checked_in_at!: Date;
  gate!: string | null;
  scanner_id!: number;
  offline!: boolean;
  recorded_at!: Date;
  ticket?: Ticket;
  scanner?: User;

  static relationMappings = (): RelationMappings => ({
    ticket: {
      relation: Model.BelongsToOneRelation,
      modelClass: Ticket,
      join: { from: 'checkins.ticket_id', to: 'tickets.id' },
    },
    scanner: {
      relation: Model.BelongsToOneRelation,
      modelClass: User,
      join: { from: 'checkins.scanner_id', to: 'users.id' },
    },
  });
}
