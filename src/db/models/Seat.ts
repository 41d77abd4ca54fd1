import type { RelationMappings } from 'objection';
import { BaseModel } from './BaseModel';
import { Auditorium } from './Auditorium';

export type SeatType = 'regular' | 'premium' | 'wheelchair';

export class Seat extends BaseModel {
  static tableName = 'seats';

  id!: number;
  auditorium_id!: number;
  row!: string;
  number!: number;
  seat_type!: SeatType;
  /** numeric(10,2) as a decimal string */
  price_modifier!: string;
  is_active!: boolean;
  auditorium?: Auditorium;

  get label(): string {
    return `${this.row}${this.number}`;
  }

  static relationMappings = (): RelationMappings => ({
    auditorium: {
      relation: BaseModel.BelongsToOneRelation,
      modelClass: Auditorium,
      join: { from: 'seats.auditorium_id', to: 'auditoriums.id' },
    },
  });
}
