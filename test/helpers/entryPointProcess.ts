import type { ChildProcess } from 'node:child_process';
import { signalAndWait, spawnNodeScript } from '../../scripts/lib/processes';

export interface EntryPointProcess {
  child: ChildProcess;
  output: () => string;
  /** SIGKILL: no shutdown, no goodbye; what a crash or an OOM kill does. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** A production entry point (src/server.ts, src/worker.ts) as a real child process, with its output collected. */
export function spawnEntryPoint(file: string, env: Record<string, string | undefined>): EntryPointProcess {
  const child = spawnNodeScript(file, { env: { ...process.env, NODE_ENV: 'test', LOG_FORMAT: 'json', ...env } });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  return { child, output: () => out, kill: () => signalAndWait(child, 'SIGKILL'), stop: () => signalAndWait(child, 'SIGTERM') };
}
