import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Config } from '../../src/config';

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  /** SIGKILL: no shutdown, no goodbye; what a crash or an OOM kill does. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** The production worker entry point (src/worker.ts) as a real child process, so tests can kill it. */
export async function startWorkerProcess(config: Config, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const root = path.join(__dirname, '..', '..');
  // One process (tsx as a loader, not its CLI, which forks): SIGKILL must hit the worker itself.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'worker.ts')], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_FORMAT: 'json',
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
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${out}`)), 30_000);
    const onData = () => {
      if (out.includes('worker started')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${out}`));
    });
  });
  return {
    child,
    output: () => out,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
