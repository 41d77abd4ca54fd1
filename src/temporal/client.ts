import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';
import { temporalConnectionOptions } from './connectionOptions';

/**
 * The API's gRPC reconnect backoff. grpc-js's default grows from 1 s to 120 s, so after an outage
 * of a few minutes the API would go on answering 503 for up to two minutes once Temporal is back
 * (and every new connection to the same address would share that backoff). Retrying the
 * connection every 2 s at most costs one refused TCP connect per try while Temporal is down.
 * test/faults/temporal-restart.test.ts restarts the server under a client that kept trying.
 */
export const TEMPORAL_CLIENT_CHANNEL_ARGS = {
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 2000,
};

/**
 * A lazily connecting client: the API starts (and answers 503) while Temporal is down,
 * and reconnects by itself when it is back.
 */
export function createTemporalClient(config: Pick<Config, 'temporal'>): Client {
  const connection = Connection.lazy({ ...temporalConnectionOptions(config.temporal), channelArgs: TEMPORAL_CLIENT_CHANNEL_ARGS });
  return new Client({ connection, namespace: config.temporal.namespace });
}
