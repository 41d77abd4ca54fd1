import { NativeConnection } from '@temporalio/worker';
import { loadConfig, type Config } from './config';
import { createKnex } from './db/knex';
import { createLogger, type Logger } from './logger';
import { serveMetrics } from './metrics/serve';
import { createWorkerMetrics, outcomeInterceptor } from './metrics/workerMetrics';
import { createPaymentProvider } from './payments/createPaymentProvider';
import { fakeWebhookDispatcherFor } from './payments/fakeWebhookDispatcherFor';
import { createTemporalClient } from './temporal/client';
import { temporalConnectionOptions } from './temporal/connectionOptions';
import { ensurePurgeSchedule, purgeScheduleId } from './temporal/purgeSchedule';
import { installWorkerRuntime } from './temporal/runtime';
import { createBookingWorker } from './temporal/worker';
import { WebhookDispatcher } from './webhooks/dispatcher';

/** How long running activities may take to finish after SIGTERM, and when to give up on them. */
const SHUTDOWN_GRACE = '20s';
const SHUTDOWN_FORCE = '25s';
const PURGE_SCHEDULE_DEADLINE_MS = 10_000;

/**
 * `npm run start:worker`: runs until SIGINT/SIGTERM. The Temporal Runtime turns the signal into
 * worker.shutdown(): no new tasks are polled, running activities get SHUTDOWN_GRACE to finish
 * (ours are short and ignore cancellation), and an activity cut off is retried by Temporal on
 * another worker. Then run() returns and the pools close.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, name: 'worker', format: config.logFormat, env: config.env });
  installWorkerRuntime(logger, config);
  const metrics = createWorkerMetrics();
  const { host, appPort } = config.workerMetrics;
  const metricsServer = appPort > 0 ? serveMetrics(metrics.registry, host, appPort, logger) : undefined;
  const knex = createKnex(config.databaseUrl);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  const workflowBundle = process.env.WORKFLOW_BUNDLE_PATH ? { codePath: process.env.WORKFLOW_BUNDLE_PATH } : undefined;
  const worker = await createBookingWorker({
    config,
    knex,
    connection,
    paymentProvider: createPaymentProvider(config, knex),
    workflowBundle,
    options: { interceptors: { activity: [outcomeInterceptor(metrics)] }, shutdownGraceTime: SHUTDOWN_GRACE, shutdownForceTime: SHUTDOWN_FORCE },
  });
  // The fake provider's side: it calls the API back for asynchronous payments, as Stripe would.
  const dispatcher = fakeWebhookDispatcherFor(config, knex, logger);
  dispatcher?.start();
  // Outbound webhooks: committed outbox rows become delivery workflows.
  const webhookClient = createTemporalClient(config);
  const webhookDispatcher = new WebhookDispatcher({
    knex,
    temporal: webhookClient,
    taskQueue: config.temporal.taskQueue,
    databaseUrl: config.databaseUrl,
    webhooks: config.webhooks,
    logger,
  });
  webhookDispatcher.start();
  await ensurePurgeScheduleLogged(config, logger);
  logger.info({ taskQueue: config.temporal.taskQueue, address: config.temporal.address }, 'worker started');
  try {
    await worker.run();
  } finally {
    await dispatcher?.stop();
    await webhookDispatcher.stop();
    await Promise.allSettled([knex.destroy(), connection.close(), webhookClient.connection.close(), new Promise((resolve) => (metricsServer ? metricsServer.close(resolve) : resolve(undefined)))]);
    logger.info('worker stopped');
  }
}

/** Bookings matter more than housekeeping: a failure here is logged, and the next start tries again. */
async function ensurePurgeScheduleLogged(config: Config, logger: Logger): Promise<void> {
  const client = createTemporalClient(config);
  try {
    // Bounded, so a Temporal server that accepted the worker but stalls here cannot hold up its start.
    const outcome = await client.withDeadline(Date.now() + PURGE_SCHEDULE_DEADLINE_MS, () => ensurePurgeSchedule(client, config.temporal.taskQueue));
    logger.info({ outcome, scheduleId: purgeScheduleId(config.temporal.taskQueue) }, 'purge schedule ready');
  } catch (err) {
    logger.error({ err }, 'cannot create the purge schedule; stale tokens and limiter rows stay until a worker start succeeds');
  } finally {
    await client.connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
