import { loadConfig } from './config';
import { createKnex } from './db/knex';
import { createLogger } from './logger';
import { createPaymentProvider } from './payments/createPaymentProvider';
import { FakeWebhookDispatcher } from './payments/FakeWebhookDispatcher';
import { createBookingWorker } from './temporal/worker';

/** `npm run start:worker`: runs until SIGINT/SIGTERM, letting running activities finish. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'worker');
  const knex = createKnex(config.databaseUrl);
  const workflowBundle = process.env.WORKFLOW_BUNDLE_PATH ? { codePath: process.env.WORKFLOW_BUNDLE_PATH } : undefined;
  const worker = await createBookingWorker({ config, knex, paymentProvider: createPaymentProvider(config, knex), workflowBundle });
  // The fake provider's side: it calls the API back for asynchronous payments, as Stripe would.
  const dispatcher =
    config.paymentProvider === 'fake'
      ? new FakeWebhookDispatcher(knex, { url: config.fakePayments.webhookUrl, secret: config.paymentWebhookSecret.split(',')[0], logger })
      : undefined;
  dispatcher?.start();
  logger.info({ taskQueue: config.temporal.taskQueue, address: config.temporal.address }, 'worker started');
  try {
    await worker.run();
  } finally {
    await dispatcher?.stop();
    await knex.destroy();
    logger.info('worker stopped');
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
