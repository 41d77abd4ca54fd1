import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Knex } from 'knex';
import { createActivities } from '../../activities';
import type { Config } from '../config';
import type { PaymentProvider } from '../payments/PaymentProvider';
import { ticketKeys } from '../tickets/keys';
import { temporalConnectionOptions } from './connectionOptions';

export interface BookingWorkerDeps {
  config: Pick<Config, 'temporal' | 'tickets' | 'webhooks'>;
  knex: Knex;
  paymentProvider: PaymentProvider;
  connection?: NativeConnection;
  /** A prebuilt bundle (tests, production); without one the worker bundles `workflows/` itself. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** What the production entry point adds: metrics interceptors and shutdown timing. */
  options?: Pick<WorkerOptions, 'interceptors' | 'shutdownGraceTime' | 'shutdownForceTime'>;
}

/** The worker that runs reservation workflows and their activities on the bookings task queue. */
export async function createBookingWorker(deps: BookingWorkerDeps): Promise<Worker> {
  const connection = deps.connection ?? (await NativeConnection.connect(temporalConnectionOptions(deps.config.temporal)));
  return Worker.create({
    connection,
    namespace: deps.config.temporal.namespace,
    taskQueue: deps.config.temporal.taskQueue,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: require.resolve('../../workflows') }),
    // After a worker dies, its workflows move to another worker this soon instead of after 10 s.
    stickyQueueScheduleToStartTimeout: '3s',
    activities: createActivities({
      knex: deps.knex,
      paymentProvider: deps.paymentProvider,
      ticketKeys: ticketKeys(deps.config.tickets.signingPrivateKey),
      webhooks: { allowPrivateTargets: deps.config.webhooks.allowPrivateTargets },
    }),
    ...deps.options,
  });
}
