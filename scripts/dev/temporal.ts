import path from 'node:path';
import { findDevServerPid, startDevServer } from '../devServer';
import { REPO_ROOT, signalPid, waitForPidExit } from '../lib/processes';
import type { TemporalExecutable } from '../temporalCli';
import { TEMPORAL_STOPPING } from './protocol';
import type { DevSettings } from './settings';

export interface TemporalHandle {
  stop: () => Promise<void>;
  /** Whether a worker polls the task queue for workflow tasks. */
  workerPolling: () => Promise<boolean>;
}

export async function startTemporal(
  s: DevSettings,
  executable: TemporalExecutable,
  say: (line: string) => void,
  control: (message: string) => void,
): Promise<TemporalHandle> {
  const dbFilename = path.join(s.dataDir, 'temporal.db');
  say(`starting the Temporal dev server on ${s.temporalIp}:${s.temporalPort} (state in ${path.relative(REPO_ROOT, dbFilename)})`);
  const env = await startDevServer({
    executable,
    dbFilename,
    ip: s.temporalIp,
    port: s.temporalPort,
    uiPort: s.uiPort,
    logLevel: s.temporalLogLevel,
  });
  say('Temporal dev server is up, search attributes registered');
  const pid = findDevServerPid();
  return {
    workerPolling: async () => {
      const res = await env.client.workflowService.describeTaskQueue({
        namespace: s.config.temporal.namespace,
        taskQueue: { name: s.config.temporal.taskQueue },
        taskQueueType: 1, // TASK_QUEUE_TYPE_WORKFLOW
      });
      return (res.pollers?.length ?? 0) > 0;
    },
    stop: async () => {
      // Core's teardown kills the server outright; ask it to stop first, so SQLite closes cleanly.
      if (pid) {
        say('stopping the Temporal dev server');
        control(TEMPORAL_STOPPING);
        signalPid(pid, 'SIGINT');
        await waitForPidExit(pid, 15_000);
      }
      await env.teardown();
    },
  };
}
