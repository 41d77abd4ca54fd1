import path from 'node:path';
import type { Knex } from 'knex';

const COMPILED = path.extname(__filename) === '.js';

/** Knex settings shared by the app, the migrate script and the tests. */
export function knexConfig(connection: string = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/booking'): Knex.Config {
  return {
    client: 'pg',
    connection,
    pool: { min: 0, max: 20 },
    migrations: {
      directory: path.join(__dirname, 'migrations'),
      // Compiled (npm run build: dist/knexfile.js) it runs the compiled migrations next to it.
      extension: COMPILED ? 'js' : 'ts',
      loadExtensions: [COMPILED ? '.js' : '.ts'],
      tableName: 'knex_migrations',
    },
  };
}

const config: Knex.Config = knexConfig();
export default config;
