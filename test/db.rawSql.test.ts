import type { Knex } from 'knex';
import { createKnex } from '../src/db/knex';
import { poolSql, rawTransaction } from '../src/db/rawSql';

/**
 * The hold path's raw statements are named, so each connection parses them once and Postgres can
 * keep their plans; a pool of one connection shows what that connection has prepared.
 */
describe('raw SQL on the pool', () => {
  let knex: Knex;
  beforeAll(() => {
    const url = process.env.TEST_DATABASE_URL;
    if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests through jest (npm test)');
    knex = createKnex(url, 1);
  });
  afterAll(() => knex.destroy());

  const prepared = async () =>
    (await poolSql(knex).query<{ statement: string }>("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'booking\\_%' ORDER BY prepare_time")).rows.map(
      (r) => r.statement,
    );

  it('prepares a statement once per connection and runs it again by name', async () => {
    for (let i = 0; i < 3; i++) expect((await poolSql(knex).query<{ n: number }>('SELECT ?::int + 1 AS n', [i])).rows).toEqual([{ n: i + 1 }]);
    const inside = await rawTransaction(knex, async (sql) => (await sql.query<{ s: string }>('SELECT ?::text || ?::text AS s', ['a', 'b'])).rows[0].s);
    expect(inside).toBe('ab');
    const statements = await prepared();
    expect(statements.filter((s) => s === 'SELECT $1::int + 1 AS n')).toHaveLength(1);
    expect(statements).toContain('SELECT $1::text || $2::text AS s');
  });

  it('leaves statements unnamed past a bound, so texts built from input cannot grow a connection without end', async () => {
    for (let i = 0; i < 100; i++) expect((await poolSql(knex).query<{ n: number }>(`SELECT ?::int + ${i} AS n`, [1])).rows[0].n).toBe(1 + i);
    expect((await prepared()).length).toBeLessThanOrEqual(64);
  });
});
