import type { Config } from '../../src/config';
import { spawnEntryPoint, type EntryPointProcess } from './entryPointProcess';

export type WorkerProcess = EntryPointProcess;

/** The production worker entry point (src/worker.ts) as a real child process, so tests can kill it. */
export async function startWorkerProcess(config: Config, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const worker = spawnEntryPoint('src/worker.ts', {
    LOG_LEVEL: 'info',
    DATABASE_URL: config.databaseUrl,
    TEMPORAL_ADDRESS: config.temporal.address,
    TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
    WORKFLOW_BUNDLE_PATH: process.env.TEST_WORKFLOW_BUNDLE ?? '',
    // Parallel test runs on one machine would fight over the default metrics ports.
    WORKER_METRICS_PORT: '0',
    WORKER_APP_METRICS_PORT: '0',
    FAKE_PAYMENT_WEBHOOK_URL: config.fakePayments.webhookUrl,
    FAKE_PAYMENT_WEBHOOK_DELAY_MS: String(config.fakePayments.webhookDelayMs),
    ...env,
  });
  const { child, output } = worker;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output()}`)), 30_000);
    const onData = () => {
      if (output().includes('worker started')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${output()}`));
    });
  });
  return worker;
}
