import { spawn } from 'node:child_process';
import path from 'node:path';

export interface PostgresProcess {
  /** A URL of the cluster's `postgres` database. */
  serverUrl: string;
  /** Shuts Postgres down (fast: open sessions are terminated with 57P01) and waits for it. */
  stop(): Promise<void>;
}

/**
 * An embedded Postgres cluster of a test's own, in a child process (see postgresChild.ts), so a
 * test can stop it and start it again on the same data directory and port.
 */
export async function startPostgresProcess(dataDir: string, port: number): Promise<PostgresProcess> {
  const root = path.join(__dirname, '..', '..');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'postgresChild.ts')], {
    cwd: root,
    env: { ...process.env, PG_DATA_DIR: dataDir, PG_PORT: String(port) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const serverUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`Postgres did not start within 90 s:\n${out}`));
    }, 90_000);
    child.stdout?.on('data', () => {
      const match = /ready (\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Postgres exited with ${code}:\n${out}`));
    });
  });
  return {
    serverUrl,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
