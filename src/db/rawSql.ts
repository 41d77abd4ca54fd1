import type { Knex } from 'knex';

/** What the hold path's statements need of a connection: a query with `?` placeholders, as knex.raw takes them. */
export interface Sql {
  query<R>(sql: string, bindings?: readonly unknown[]): Promise<{ rows: R[] }>;
}

/** The pg client under knex's pool (knex's types leave it `any`). */
interface PgConnection {
  query<R>(sql: string | PgStatement, values?: readonly unknown[]): Promise<{ rows: R[] }>;
}

interface PgStatement {
  name?: string;
  text: string;
}

/** Past this many distinct texts, statements go unnamed: a text built from its input must not grow every connection without end. */
const MAX_NAMED_STATEMENTS = 64;
const statements = new Map<string, PgStatement>();

/**
 * The statement for `sql`, `?` placeholders turned into pg's `$n` (the hold path's SQL has no
 * other question marks), and named: pg then parses it once per connection, and Postgres plans it
 * once it has seen it a few times, rather than parsing and planning every execution (the hold's
 * reads and inserts are the statements an on-sale rush is made of).
 */
function statement(sql: string): PgStatement {
  let prepared = statements.get(sql);
  if (!prepared) {
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${++n}`);
    prepared = statements.size < MAX_NAMED_STATEMENTS ? { name: `booking_${statements.size + 1}`, text } : { text };
    if (prepared.name) statements.set(sql, prepared);
  }
  return prepared;
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
      return await conn.query<R>(statement(text), bindings);
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
    const sql: Sql = { query: <R>(text: string, bindings: readonly unknown[] = []) => conn.query<R>(statement(text), bindings) };
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
