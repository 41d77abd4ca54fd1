import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from './config';
import type { Logger } from './logger';

/** Everything the API needs, built once by server.ts (or by a test). */
export interface AppDeps {
  config: Config;
  knex: Knex;
  temporal: Client;
  logger: Logger;
}
