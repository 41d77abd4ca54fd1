import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { Config } from './config';
import type { Logger } from './logger';
import type { SoldOutMemory } from './reservations/soldOutMemory';
import type { SeatEventHub } from './seatEvents/hub';

/** Everything the API needs, built once by server.ts (or by a test). */
export interface AppDeps {
  config: Config;
  knex: Knex;
  temporal: Client;
  logger: Logger;
  /** The live seat-map streams; server.ts passes its own to close them at shutdown. */
  seatEvents?: SeatEventHub;
  /** Showtimes found sold out, refused without a statement until a seat changes; none: every hold reads. */
  soldOut?: SoldOutMemory;
}
