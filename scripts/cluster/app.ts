import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { eachLine } from '../dev/output';
import { spawnNodeScript } from '../lib/processes';
import { workerMetricsPorts, type ClusterSettings } from './settings';

/** The production workflow bundle, once for every worker (each would otherwise run webpack at its start). */
export async function bundleWorkflows(dataDir: string): Promise<string> {
  const noop = () => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop },
  });
  const file = path.join(dataDir, 'workflow-bundle.js');
  writeFileSync(file, code);
  return file;
}

export interface AppPart {
  name: string;
  child: ChildProcess;
}

/**
 * The app as production runs it: the API entry point (API_PROCESSES processes sharing one port
 * through node:cluster) and WORKERS worker processes, each with metrics ports of its own.
 */
export function startApp(
  s: ClusterSettings,
  env: NodeJS.ProcessEnv,
  onLine: (part: string, line: string) => void,
): AppPart[] {
  const parts: AppPart[] = [];
  const start = (name: string, script: string, own: NodeJS.ProcessEnv) => {
    const child = spawnNodeScript(script, { env: { ...env, ...own }, detached: true });
    void eachLine(child.stdout!, (line) => onLine(name, line));
    void eachLine(child.stderr!, (line) => onLine(name, line));
    parts.push({ name, child });
  };
  for (let i = 0; i < s.workers; i++) {
    const m = workerMetricsPorts(i);
    start(`worker-${i + 1}`, 'src/worker.ts', { WORKER_METRICS_PORT: String(m.sdk), WORKER_APP_METRICS_PORT: String(m.app) });
  }
  start('api', 'src/server.ts', { PORT: String(s.apiPort), API_PROCESSES: String(s.apiProcesses) });
  return parts;
}
