import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface EntryPointProcess {
  child: ChildProcess;
  output: () => string;
  /** SIGKILL: no shutdown, no goodbye; what a crash or an OOM kill does. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A production entry point (src/server.ts, src/worker.ts) as a real child process, with its
 * output collected. Node with tsx as a loader, not tsx's CLI: the CLI forks a grandchild that
 * would survive the SIGKILL.
 */
export function spawnEntryPoint(file: string, env: Record<string, string | undefined>): EntryPointProcess {
  const root = path.join(__dirname, '..', '..');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, file)], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'test', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exited;
  };
  return { child, output: () => out, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}
