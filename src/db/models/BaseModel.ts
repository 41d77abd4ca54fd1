import { Model, type Modifiers, type QueryBuilder } from 'objection';

/** Keeps the audit timestamps current; every table with created_at, updated_at and is_deleted extends it. */
export class BaseModel extends Model {
  created_at!: Date;
  updated_at!: Date;
  is_deleted!: boolean;

  /** `live`: rows that are not soft-deleted, the only ones the API shows. */
  static modifiers: Modifiers<QueryBuilder<BaseModel>> = {
    live(query) {
      query.where(`${query.modelClass().tableName}.is_deleted`, false);
    },
  };

  $beforeUpdate(): void {
    // A write that stamps the database clock (`updated_at: knex.fn.now()`) keeps it; otherwise this process's clock.
    if (this.updated_at === undefined) this.updated_at = new Date();
  }
}
