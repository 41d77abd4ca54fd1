import { Model, type RelationMappings } from 'objection';
import type { CheckinAnswer, CheckinResult } from '../../tickets/results';
import { Ticket } from './Ticket';
import { User } from './User';

/** Every scan, whatever its result, under its (scanner, nonce): a retry finds its first answer. */
export class CheckinScan extends Model {
  static tableName = 'checkin_scans';
  /** jsonb: written as JSON text, read back as the object. */
  static jsonAttributes = ['response'];

  id!: number;
  scanner_id!: number;
  nonce!: string;
  gate!: string | null;
  ticket_id!: string | null;
  /** The showtime the scanner said it admits to, when it said. */
  showtime_id!: number | null;
  result!: CheckinResult;
  scanned_at!: Date;
  received_at!: Date;
  offline!: boolean;
  /** The answer given, returned as it was to a retry with the same nonce. */
  response!: CheckinAnswer;
  ticket?: Ticket | null;
  scanner?: User;

  static relationMappings = (): RelationMappings => ({
    ticket: {
      relation: Model.BelongsToOneRelation,
      modelClass: Ticket,
      join: { from: 'checkin_scans.ticket_id', to: 'tickets.id' },
    },
    scanner: {
      relation: Model.BelongsToOneRelation,
      modelClass: User,
      join: { from: 'checkin_scans.scanner_id', to: 'users.id' },
    },
  });
}
