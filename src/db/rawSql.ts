import type { Knex } from 'knex';

/** What the hold path's statements need of a connection: a query with `?` placeholders, as knex.raw takes them. */
export interface Sql {
  query<R>(sql: string, bindings?: readonly unknown[]): Promise<{ rows: R[] }>;
}

/** The pg client under knex's pool (knex's types leave it `any`). */
interface PgConnection {
  query<R>(sql: string, values?: readonly unknown[]): Promise<{ rows: R[] }>;
}

/** `?` placeholders to pg's `$n`. The hold path's SQL has no other question marks. */
function positional(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

type PgPool = { acquireConnection(): Promise<PgConnection>; releaseConnection(c: PgConnection): Promise<void> };
const pgPool = (knex: Knex): PgPool => knex.client as PgPool;

/**
 * Statements on the pool, a connection each, as knex.raw runs them but without its query
 * machinery (about 0.07 ms of CPU a statement, measured): for the reads every request of a rush
 * makes (the caller's user, the seats asked for).
 */
export const poolSql = (knex: Knex): Sql => ({
  query: async <R>(text: string, bindings: readonly unknown[] = []) => {
    const pool = pgPool(knex);
    const conn = await pool.acquireConnection();
    try {
      return await conn.query<R>(positional(text), bindings);
    } finally {
      await pool.releaseConnection(conn);
    }
  },
});

/**
 * A transaction on one pooled connection, without knex's transaction machinery: knex builds a
 * knex instance per transaction, which cost about 0.4 ms of CPU per transaction (measured
 * against BEGIN/COMMIT on the same pooled connection), and the hold is the request an on-sale
 * rush is made of. `fn`'s error rolls back and is rethrown; a failed COMMIT rejects (the caller
 * must then find out whether it took effect). A connection that broke is left disposed by knex's
 * own listeners, so the pool destroys it rather than hand it out again.
 */
export async function rawTransaction<T>(knex: Knex, fn: (sql: Sql) => Promise<T>): Promise<T> {
  const client = pgPool(knex);
  const conn = await client.acquireConnection();
  try {
    const sql: Sql = { query: <R>(text: string, bindings: readonly unknown[] = []) => conn.query<R>(positional(text), bindings) };
    await conn.query('BEGIN');
    let result: T;
    try {
      result = await fn(sql);
    } catch (err) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    await conn.query('COMMIT');
    return result;
  } finally {
    await client.releaseConnection(conn);
  }
}
