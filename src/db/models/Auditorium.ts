import type { RelationMappings } from 'objection';
import { BaseModel } from './BaseModel';
import { Seat } from './Seat';

export class Auditorium extends BaseModel {
  static tableName = 'auditoriums';

  id!: number;
  name!: string;
  seats?: Seat[];

  static relationMappings = (): RelationMappings => ({
    seats: {
      relation: BaseModel.HasManyRelation,
      modelClass: Seat,
      join: { from: 'auditoriums.id', to: 'seats.auditorium_id' },
    },
  });
}
