import { signalAndWait, spawnNodeScript } from '../../scripts/lib/processes';

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
  // Its stdin is a pipe so that it stops Postgres when this process goes away.
  const child = spawnNodeScript('test/helpers/postgresChild.ts', { env: { ...process.env, PG_DATA_DIR: dataDir, PG_PORT: String(port) }, stdin: 'pipe' });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
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
    stop: () => signalAndWait(child, 'SIGTERM'),
  };
}
