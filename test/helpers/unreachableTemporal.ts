import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createApp } from '../../src/app';
import { createTemporalClient } from '../../src/temporal/client';
import { apiClient, type ApiClient } from './http';
import type { TestStack } from './stack';

/**
 * Runs `use` against an API on the stack's database whose Temporal is unreachable (port 1): a
 * hold inserts its seats, fails to start the workflow and rolls back; health says so.
 */
export async function withUnreachableTemporal<T>(stack: Pick<TestStack, 'config' | 'knex'>, use: (api: ApiClient) => Promise<T>): Promise<T> {
  const temporal = { ...stack.config.temporal, address: '127.0.0.1:1' };
  const deadTemporal = createTemporalClient({ temporal });
  const app = createApp({ config: { ...stack.config, temporal }, knex: stack.knex, temporal: deadTemporal, logger: pino({ level: 'silent' }) });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    return await use(apiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  } finally {
    await new Promise((r) => server.close(r));
    await deadTemporal.connection.close();
  }
}
