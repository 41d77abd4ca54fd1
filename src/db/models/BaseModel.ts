import { Model } from 'objection';

/** Keeps the audit timestamps current; every table has created_at, updated_at and is_deleted. */
export class BaseModel extends Model {
  created_at!: Date;
  updated_at!: Date;
  is_deleted!: boolean;

  $beforeUpdate(): void {
    this.updated_at = new Date();
  }
}
