import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';

/**
 * A lazily connecting client: the API starts (and answers 503) while Temporal is down,
 * and reconnects by itself when it is back.
 */
export function createTemporalClient(config: Pick<Config, 'temporal'>): Client {
  const connection = Connection.lazy({ address: config.temporal.address });
  return new Client({ connection, namespace: config.temporal.namespace });
}
