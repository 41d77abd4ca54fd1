import type { Server } from 'node:http';
import { createApp } from './app';
import { loadConfig } from './config';
import { createKnex } from './db/knex';
import { createLogger } from './logger';
import { createTemporalClient } from './temporal/client';

/** `npm run start:api`: listens on PORT; SIGTERM finishes in-flight requests before exiting. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'api');
  const knex = createKnex(config.databaseUrl);
  const temporal = createTemporalClient(config);
  const app = createApp({ config, knex, temporal, logger });
  const server: Server = app.listen(config.port, () => logger.info({ port: config.port }, `API listening on http://127.0.0.1:${config.port}`));
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    server.close(() => {
      void Promise.allSettled([knex.destroy(), temporal.connection.close()]).then(() => process.exit(0));
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 15_000).unref();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
