import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { runApiCluster } from './apiCluster';
import { createApp } from './app';
import { loadConfig } from './config';
import { createKnex } from './db/knex';
import { createLogger } from './logger';
import { SoldOutMemory } from './reservations/soldOutMemory';
import { defaultSeatEventHub } from './routes/catalog/seatEvents/router';
import { createTemporalClient } from './temporal/client';

/**
 * Longer than a confirm may wait on its workflow (30 s) would be ideal, but orchestrators kill
 * after 30 s; a request still running then is cut, and its client retries.
 */
const SHUTDOWN_TIMEOUT_MS = 25_000;

/** `npm run start:api`: listens on PORT; SIGTERM finishes in-flight requests before exiting. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, name: 'api', format: config.logFormat, env: config.env });
  if (config.apiProcesses > 1 && cluster.isPrimary) return runApiCluster(config.apiProcesses, logger);
  const knex = createKnex(config.databaseUrl);
  const temporal = createTemporalClient(config);
  const seatEvents = defaultSeatEventHub({ knex, config, logger });
  const soldOut = new SoldOutMemory(config.databaseUrl, logger);
  const app = createApp({ config, knex, temporal, logger, seatEvents, soldOut });
  const server: Server = app.listen(config.port, () => logger.info({ port: config.port }, `API listening on http://127.0.0.1:${config.port}`));
  server.on('error', (err) => {
    logger.fatal({ err }, 'cannot listen');
    process.exit(1);
  });

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing in-flight requests');
    setTimeout(() => {
      logger.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'in-flight requests did not finish in time; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    // close() stops accepting and calls back once every connection is gone; idle keep-alive
    // connections are closed now, busy ones after their response (Node sends Connection: close).
    server.close(() => {
      void Promise.allSettled([knex.destroy(), temporal.connection.close(), soldOut.close()]).then(() => {
        logger.info('API stopped');
        process.exit(0);
      });
    });
    // Seat-map streams never finish by themselves: end them, and their clients reconnect elsewhere.
    void seatEvents.close();
    server.closeIdleConnections();
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
