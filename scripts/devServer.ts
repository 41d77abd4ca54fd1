import { TestWorkflowEnvironment } from '@temporalio/testing';
import { searchAttributes } from '../workflows/shared';
import { findChildPid } from './lib/processes';
import type { TemporalExecutable } from './temporalCli';

/** Dynamic config every dev server of the project needs (DESIGN.md, "Running it"). */
export const DEV_SERVER_DYNAMIC_CONFIG = [
  'frontend.enableExecuteMultiOperation=true',
  'frontend.enableUpdateWorkflowExecution=true',
  'system.enableEagerWorkflowStart=true',
  'system.enableActivityEagerExecution=true',
];

export interface DevServerOptions {
  executable: TemporalExecutable;
  /** SQLite file to persist to; in memory when absent. */
  dbFilename?: string;
  ip?: string;
  port?: number;
  uiPort?: number;
  namespace?: string;
  logLevel?: string;
}

/** Starts a Temporal dev server with the project's flags and search attributes registered. */
export async function startDevServer(opts: DevServerOptions): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDevServerOnce(opts);
    } catch (err) {
      // The SDK gives the server a fixed 5 s to listen, then kills it. A freshly built binary on a
      // busy machine (CI builds the tools just before the tests) can need longer the first time.
      // By its message: the SDK's native error may come from another realm (jest), so not by class.
      const message = String((err as { message?: unknown } | null)?.message ?? err);
      if (attempt >= STARTUP_ATTEMPTS || !/did not start within/.test(message)) throw err;
      console.error(`[dev-server] did not listen within the SDK's 5 s (attempt ${attempt} of ${STARTUP_ATTEMPTS}); starting it again`);
    }
  }
}

const STARTUP_ATTEMPTS = 3;

function startDevServerOnce(opts: DevServerOptions): Promise<TestWorkflowEnvironment> {
  const extraArgs = DEV_SERVER_DYNAMIC_CONFIG.flatMap((v) => ['--dynamic-config-value', v]);
  if (opts.dbFilename) extraArgs.push('--sqlite-pragma', 'journal_mode=WAL');
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: opts.executable,
      dbFilename: opts.dbFilename,
      ip: opts.ip ?? '127.0.0.1',
      port: opts.port,
      ui: opts.uiPort !== undefined,
      uiPort: opts.uiPort,
      namespace: opts.namespace,
      log: { format: 'pretty', level: opts.logLevel ?? 'warn' },
      searchAttributes: Object.values(searchAttributes),
      extraArgs,
    },
  });
}

/** The pid of the dev server `startDevServer` spawned (a child of this process), for its CPU time or a clean SIGINT. */
export function findDevServerPid(): number | undefined {
  return findChildPid('server start-dev');
}
