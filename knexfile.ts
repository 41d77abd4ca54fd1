import path from 'node:path';
import type { Knex } from 'knex';

/** Knex settings shared by the app, the migrate script and the tests. */
export function knexConfig(connection: string = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/booking'): Knex.Config {
  return {
    client: 'pg',
    connection,
    pool: { min: 0, max: 20 },
    migrations: {
      directory: path.join(__dirname, 'migrations'),
      extension: 'ts',
      loadExtensions: ['.ts'],
      tableName: 'knex_migrations',
    },
  };
}

const config: Knex.Config = knexConfig();
export default config;
