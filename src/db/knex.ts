import knexFactory, { type Knex } from 'knex';
import { Model } from 'objection';
import { types } from 'pg';
import { knexConfig } from '../../knexfile';

// int8 (count(*), bigserial) as JS numbers: our counts and ids stay far below 2^53.
types.setTypeParser(types.builtins.INT8, (v) => Number(v));

/** Opens the pool and binds Objection's models to it, once per process. */
export function createKnex(databaseUrl: string, poolMax = 20): Knex {
  const config = knexConfig(databaseUrl);
  const knex = knexFactory({ ...config, pool: { min: 0, max: poolMax, acquireTimeoutMillis: 5000 } });
  Model.knex(knex);
  return knex;
}
