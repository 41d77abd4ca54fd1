import type { RelationMappings } from 'objection';
import { BaseModel } from './BaseModel';
import { Seat } from './Seat';
import { Showtime } from './Showtime';

export class Auditorium extends BaseModel {
  static tableName = 'auditoriums';

  id!: number;
  name!: string;
  seats?: Seat[];
  showtimes?: Showtime[];

  static relationMappings = (): RelationMappings => ({
    seats: {
      relation: BaseModel.HasManyRelation,
      modelClass: Seat,
      join: { from: 'auditoriums.id', to: 'seats.auditorium_id' },
    },
    showtimes: {
      relation: BaseModel.HasManyRelation,
      modelClass: Showtime,
      join: { from: 'auditoriums.id', to: 'showtimes.auditorium_id' },
    },
  });
}
