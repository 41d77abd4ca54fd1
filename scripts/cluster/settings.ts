import path from 'node:path';
import { loadConfig, type Config } from '../../src/config';
import { portIsFree } from '../lib/ports';
import { REPO_ROOT } from '../lib/processes';
import { allPorts, clusterPorts, type ClusterPorts } from './serverConfig';

/** Settings of `npm run cluster` itself; the app's own come from src/config.ts. */
export interface ClusterSettings {
  config: Config;
  /** .data/cluster: the server config, the logs, the bundle and (embedded) Postgres's data. */
  dataDir: string;
  /** The Postgres server of DATABASE_URL, or none: then an embedded one. */
  databaseUrl: string | undefined;
  embeddedPostgresPort: number;
  /** The app's database and Temporal's two, on that server: names of their own, so `npm run dev`'s are never touched. */
  databases: { app: string; temporal: string; visibility: string };
  ports: ClusterPorts;
  uiPort: number;
  /** The Web UI server (built from source on first use); CLUSTER_UI=off skips it. */
  ui: boolean;
  apiPort: number;
  apiProcesses: number;
  workers: number;
  temporalLogLevel: string;
}

function intSetting(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const value = Number(env[name] || fallback);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got ${env[name]}`);
  return value;
}

export function readClusterSettings(env: NodeJS.ProcessEnv = process.env): ClusterSettings {
  const ui = env.CLUSTER_UI ?? 'on';
  if (ui !== 'on' && ui !== 'off') throw new Error(`CLUSTER_UI must be on or off, got ${ui}`);
  return {
    config: loadConfig(env),
    dataDir: path.resolve(REPO_ROOT, env.CLUSTER_DATA_DIR || path.join('.data', 'cluster')),
    databaseUrl: env.DATABASE_URL || undefined,
    embeddedPostgresPort: intSetting(env, 'CLUSTER_POSTGRES_PORT', 5434, 1, 65535),
    databases: { app: 'booking_cluster', temporal: 'temporal_cluster', visibility: 'temporal_cluster_visibility' },
    ports: clusterPorts(intSetting(env, 'CLUSTER_PORT_BASE', 7300, 1024, 65500)),
    uiPort: intSetting(env, 'CLUSTER_UI_PORT', 8300, 1, 65535),
    ui: ui === 'on',
    apiPort: intSetting(env, 'CLUSTER_API_PORT', 3100, 1, 65535),
    apiProcesses: intSetting(env, 'API_PROCESSES', 2, 1, 64),
    workers: intSetting(env, 'WORKERS', 2, 1, 16),
    temporalLogLevel: env.TEMPORAL_LOG_LEVEL || 'warn',
  };
}

/** Each worker's two metrics ports (SDK, app), from 9600 up: clear of a dev worker's 9464/9465. */
export function workerMetricsPorts(index: number): { sdk: number; app: number } {
  return { sdk: 9600 + 2 * index, app: 9601 + 2 * index };
}

/** Fails early, with a hint, when a port the cluster needs is taken. */
export async function assertClusterPortsFree(s: ClusterSettings): Promise<void> {
  const wanted: Array<[string, number, string]> = allPorts(s.ports).map((p) => [`Temporal (CLUSTER_PORT_BASE ${s.ports.grpc.frontend})`, p, 'set CLUSTER_PORT_BASE']);
  wanted.push(['API', s.apiPort, 'set CLUSTER_API_PORT']);
  if (s.ui) wanted.push(['Web UI', s.uiPort, 'set CLUSTER_UI_PORT, or CLUSTER_UI=off']);
  if (!s.databaseUrl) wanted.push(['embedded Postgres', s.embeddedPostgresPort, 'set CLUSTER_POSTGRES_PORT or DATABASE_URL']);
  for (let i = 0; i < s.workers; i++) {
    const m = workerMetricsPorts(i);
    wanted.push([`worker ${i + 1} metrics`, m.sdk, 'lower WORKERS'], [`worker ${i + 1} metrics`, m.app, 'lower WORKERS']);
  }
  const taken: string[] = [];
  for (const [what, port, hint] of wanted) {
    if (!(await portIsFree('127.0.0.1', port))) taken.push(`port ${port} (${what}) is in use: ${hint}; an earlier \`npm run cluster\` may still run (\`ss -ltnp 'sport = :${port}'\`)`);
  }
  if (taken.length > 0) throw new Error(taken.join('\n'));
}
