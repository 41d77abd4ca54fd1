import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Config } from '../../src/config';
import { freePort } from './ports';

export interface ApiProcess {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  /** SIGKILL: no shutdown, no goodbye; in-flight requests get no answer. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The production API entry point (src/server.ts) as a real child process, so a test can kill it
 * while requests are in flight. Node with tsx as a loader, not tsx's CLI: the CLI forks a
 * grandchild that would survive the SIGKILL.
 */
export async function startApiProcess(config: Config, env: Record<string, string> = {}): Promise<ApiProcess> {
  const root = path.join(__dirname, '..', '..');
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'server.ts')], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'warn',
      PORT: String(port),
      DATABASE_URL: config.databaseUrl,
      TEMPORAL_ADDRESS: config.temporal.address,
      TEMPORAL_NAMESPACE: config.temporal.namespace,
      TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
      JWT_SECRET: config.jwtSecret,
      HOLD_TTL_SECONDS: String(config.holdTtlSeconds),
      BCRYPT_ROUNDS: String(config.bcryptRounds),
      RATE_LIMIT_LOGIN_PER_ADDRESS: '0',
      RATE_LIMIT_SIGNUP_PER_ADDRESS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}`;

  // Ready once it answers /healthz at all (200, or 503 while a backing service is down).
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`API exited with ${child.exitCode}:\n${out}`);
    try {
      await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(3000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`API did not start within 30 s:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    child,
    baseUrl,
    output: () => out,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
