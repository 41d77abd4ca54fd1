import type { Knex } from 'knex';

/**
 * The rows an `INSERT ... ON CONFLICT DO NOTHING RETURNING ...` built by a model really inserted:
 * none when it met a conflict. Objection answers an insert with the models it was given, inserted
 * or not, so the knex query it builds (same table, columns and JSON formatting) is run instead.
 */
export async function insertedRows<R>(insert: { toKnexQuery(): Knex.QueryBuilder }): Promise<R[]> {
  return (await insert.toKnexQuery()) as R[];
}
