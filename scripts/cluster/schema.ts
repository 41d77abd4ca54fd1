import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { ensureDatabase, withDatabase } from '../postgres';
import type { ServerBinaries } from './build';
import type { PostgresTarget } from './serverConfig';

const run = promisify(execFile);

export function postgresTarget(serverUrl: string): PostgresTarget {
  const u = new URL(serverUrl);
  return {
    host: u.hostname === 'localhost' ? '127.0.0.1' : u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: decodeURIComponent(u.password),
  };
}

async function hasSchema(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ t: string | null }>(`SELECT to_regclass('public.schema_version')::text AS t`);
    return rows[0].t !== null;
  } finally {
    await client.end();
  }
}

/**
 * Creates Temporal's two databases on the server of `serverUrl` when missing and brings their
 * schemas up to date with temporal-sql-tool, as docker/temporal/setup-schema.sh does in the
 * compose file: a new database is set up at 0.0 first, then every versioned step is applied.
 */
export async function setUpSchemas(
  bin: ServerBinaries,
  serverUrl: string,
  databases: { temporal: string; visibility: string },
  log: (line: string) => void,
): Promise<void> {
  const pg = postgresTarget(serverUrl);
  for (const [db, dir] of [
    [databases.temporal, 'temporal'],
    [databases.visibility, 'visibility'],
  ] as const) {
    const url = withDatabase(serverUrl, db);
    await ensureDatabase(url);
    const args = ['--plugin', 'postgres12', '--ep', pg.host, '-p', String(pg.port), '-u', pg.user, ...(pg.password ? ['--pw', pg.password] : []), '--db', db];
    const sql = (...more: string[]) => run(bin.sqlTool, [...args, ...more], { maxBuffer: 16 * 1024 * 1024 });
    if (!(await hasSchema(url))) {
      log(`setting up the ${db} schema`);
      await sql('setup-schema', '-v', '0.0');
    }
    await sql('update-schema', '-d', path.join(bin.schemaDir, dir, 'versioned'));
  }
  log(`Temporal schemas are up to date (${databases.temporal}, ${databases.visibility})`);
}
