import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { DYNAMIC_CONFIG_FILE } from './versions';

export const TEMPORAL_SERVICES = ['history', 'matching', 'frontend', 'worker'] as const;
export type TemporalService = (typeof TEMPORAL_SERVICES)[number];

/**
 * The ports of one cluster, all from one base so two clusters (or a cluster and the dev server
 * on 7233/8233) never meet: gRPC at base+0..3 (frontend first), the frontend's HTTP API at +4,
 * membership (ringpop) at +10..13, Prometheus metrics at +20..23.
 */
export interface ClusterPorts {
  grpc: Record<TemporalService, number>;
  membership: Record<TemporalService, number>;
  metrics: Record<TemporalService, number>;
  frontendHttp: number;
}

const ORDER: TemporalService[] = ['frontend', 'history', 'matching', 'worker'];

export function clusterPorts(base: number): ClusterPorts {
  const at = (offset: number) => Object.fromEntries(ORDER.map((s, i) => [s, base + offset + i])) as Record<TemporalService, number>;
  return { grpc: at(0), membership: at(10), metrics: at(20), frontendHttp: base + 4 };
}

export function allPorts(p: ClusterPorts): number[] {
  return [...Object.values(p.grpc), ...Object.values(p.membership), ...Object.values(p.metrics), p.frontendHttp];
}

export interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

export interface ServerConfigOptions {
  /** Folder the server runs in (--root); the config goes to its config/ subfolder. */
  root: string;
  ports: ClusterPorts;
  postgres: PostgresTarget;
  database: string;
  visibilityDatabase: string;
  logLevel: string;
}

/**
 * Writes the server config, shaped after the module's config/development-postgres12.yaml:
 * base.yaml for what every service shares (persistence on Postgres with SQL visibility, the
 * ports, the cluster metadata, the project's dynamic-config file), and one small <service>.yaml
 * per service with its own metrics port, which the server's loader lays over base.yaml when it is
 * started with --env <service>.
 */
export function writeServerConfig(o: ServerConfigOptions): string {
  const dir = path.join(o.root, 'config');
  mkdirSync(dir, { recursive: true });
  const frontend = `127.0.0.1:${o.ports.grpc.frontend}`;
  // Four services and the app share one Postgres (max_connections is 100 by default): small
  // pools, few idle connections kept.
  const store = (databaseName: string, maxConns: number, maxIdleConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: `${o.postgres.host}:${o.postgres.port}`,
      connectProtocol: 'tcp',
      user: o.postgres.user,
      password: o.postgres.password,
      maxConns,
      maxIdleConns,
      maxConnLifetime: '1h',
    },
  });
  const base = {
    log: { stdout: true, level: o.logLevel },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: 4,
      datastores: { 'postgres-default': store(o.database, 10, 2), 'postgres-visibility': store(o.visibilityDatabase, 4, 1) },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' } },
    services: Object.fromEntries(
      TEMPORAL_SERVICES.map((s) => [
        s,
        { rpc: { grpcPort: o.ports.grpc[s], membershipPort: o.ports.membership[s], bindOnLocalHost: true, ...(s === 'frontend' ? { httpPort: o.ports.frontendHttp } : {}) } },
      ]),
    ),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: frontend } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    // The internal worker service (system workflows) reaches the frontend here.
    publicClient: { hostPort: frontend },
    dynamicConfigClient: { filepath: DYNAMIC_CONFIG_FILE, pollInterval: '10s' },
  };
  const header = '# Written by `npm run cluster` (scripts/cluster/serverConfig.ts) at every start: edit that file, not this one.\n';
  writeFileSync(path.join(dir, 'base.yaml'), header + yaml.dump(base, { lineWidth: 200 }));
  for (const s of TEMPORAL_SERVICES) {
    const own = { global: { metrics: { prometheus: { framework: 'tally', timerType: 'histogram', listenAddress: `127.0.0.1:${o.ports.metrics[s]}` } } } };
    writeFileSync(path.join(dir, `${s}.yaml`), header + yaml.dump(own));
  }
  return dir;
}
