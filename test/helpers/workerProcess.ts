import { configToEnv, type Config } from '../../src/config';
import { spawnEntryPoint, type EntryPointProcess } from './entryPointProcess';

export type WorkerProcess = EntryPointProcess;

/** The production worker entry point (src/worker.ts) as a real child process, so tests can kill it. */
export async function startWorkerProcess(config: Config, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const worker = spawnEntryPoint('src/worker.ts', {
    ...configToEnv(config),
    LOG_LEVEL: 'info',
    WORKFLOW_BUNDLE_PATH: process.env.TEST_WORKFLOW_BUNDLE ?? '',
    // Parallel test runs on one machine would fight over the default metrics ports.
    WORKER_METRICS_PORT: '0',
    WORKER_APP_METRICS_PORT: '0',
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
