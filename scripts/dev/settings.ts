import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config';
import { portIsFree } from '../lib/ports';
import { REPO_ROOT } from '../lib/processes';

/** Settings of the dev script itself (the app's own come from src/config.ts). */
export interface DevSettings {
  config: Config;
  /** Where the dev server listens: TEMPORAL_ADDRESS, 127.0.0.1:7233 by default. */
  temporalIp: string;
  temporalPort: number;
  uiPort: number;
  temporalLogLevel: string;
  dataDir: string;
  /** Set when the developer points at a Postgres of their own. */
  databaseUrl: string | undefined;
  embeddedPostgresPort: number;
  /** Restart the API and the worker when src/, workflows/ or activities/ change (DEV_WATCH, on by default). */
  watch: boolean;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): DevSettings {
  const config = loadConfig(env);
  const [host, portText] = splitHostPort(config.temporal.address);
  const port = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value <= 0 || value > 65535) throw new Error(`${name} must be a TCP port, got ${env[name]}`);
    return value;
  };
  return {
    config,
    temporalIp: host === 'localhost' ? '127.0.0.1' : host,
    temporalPort: Number(portText),
    uiPort: port('TEMPORAL_UI_PORT', 8233),
    temporalLogLevel: env.TEMPORAL_LOG_LEVEL ?? 'warn',
    dataDir: path.resolve(REPO_ROOT, env.DEV_DATA_DIR ?? '.data'),
    databaseUrl: env.DATABASE_URL || undefined,
    embeddedPostgresPort: port('DEV_POSTGRES_PORT', 5433),
    watch: watchSetting(env.DEV_WATCH),
  };
}

function watchSetting(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'on') return true;
  if (value === 'off') return false;
  throw new Error(`DEV_WATCH must be on or off, got ${value}`);
}

function splitHostPort(address: string): [string, string] {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  if (!match) throw new Error(`TEMPORAL_ADDRESS must be host:port, got ${address}`);
  return [match[1], match[2]];
}

/** Fails early, with a hint, when a port the dev stack needs is taken. */
export async function assertPortsFree(s: DevSettings): Promise<void> {
  const wanted: Array<[string, string, number, string]> = [
    ['Temporal dev server', s.temporalIp, s.temporalPort, 'stop it, or set TEMPORAL_ADDRESS (e.g. 127.0.0.1:7333)'],
    ['Temporal Web UI', s.temporalIp, s.uiPort, 'stop it, or set TEMPORAL_UI_PORT'],
    ['API', '0.0.0.0', s.config.port, 'stop it, or set PORT'],
  ];
  if (!s.databaseUrl) {
    const stale = existsSync(path.join(s.dataDir, 'postgres', 'postmaster.pid'))
      ? `; .data/postgres/postmaster.pid exists, so a Postgres of an earlier \`npm run dev\` may still be running`
      : '';
    wanted.push(['embedded Postgres', '127.0.0.1', s.embeddedPostgresPort, `stop it, or set DEV_POSTGRES_PORT or DATABASE_URL${stale}`]);
  }
  const taken: string[] = [];
  for (const [what, host, port, hint] of wanted) {
    if (!(await portIsFree(host, port))) {
      taken.push(`port ${port} (${what}) is already in use: ${hint}. Find the process with \`ss -ltnp 'sport = :${port}'\`.`);
    }
  }
  if (taken.length > 0) throw new Error(taken.join('\n'));
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
