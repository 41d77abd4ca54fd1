import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { clusterPorts, TEMPORAL_SERVICES, writeServerConfig } from '../scripts/cluster/serverConfig';
import { DYNAMIC_CONFIG_FILE, TEMPORAL_SERVER_VERSION, TEMPORAL_UI_VERSION } from '../scripts/cluster/versions';

/**
 * One version, one config: `npm run cluster` (scripts/cluster) and docker-compose.yml run the
 * same Temporal server, admin tools and Web UI, with the same dynamic-config file.
 */
interface Service {
  image?: string;
  environment?: Record<string, string>;
  volumes?: string[];
}
const ROOT = path.resolve(__dirname, '..');
const { services } = yaml.load(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };

/** The default of an image tag written as `name:${VAR:-default}`. */
function pinned(image: string | undefined): string | undefined {
  return /:\$\{[A-Z_]+:-([^}]+)\}$/.exec(image ?? '')?.[1];
}

describe('npm run cluster and docker-compose.yml', () => {
  it('pin the same Temporal server, admin tools and Web UI versions', () => {
    expect(pinned(services.temporal.image)).toBe(TEMPORAL_SERVER_VERSION);
    expect(pinned(services['temporal-schema'].image)).toBe(TEMPORAL_SERVER_VERSION);
    expect(pinned(services['temporal-setup'].image)).toBe(TEMPORAL_SERVER_VERSION);
    expect(pinned(services['temporal-ui'].image)).toBe(TEMPORAL_UI_VERSION);
  });

  it('share one dynamic-config file', () => {
    const mount = (services.temporal.volumes ?? []).find((v) => v.split(':')[1] === '/etc/temporal/config/dynamicconfig');
    expect(mount).toBeDefined();
    const composeFile = path.join(path.resolve(ROOT, mount!.split(':')[0]), path.basename(services.temporal.environment?.DYNAMIC_CONFIG_FILE_PATH ?? ''));
    expect(composeFile).toBe(DYNAMIC_CONFIG_FILE);

    const root = mkdtempSync(path.join(os.tmpdir(), 'cluster-config-'));
    try {
      writeServerConfig({
        root,
        ports: clusterPorts(7300),
        postgres: { host: '127.0.0.1', port: 5432, user: 'postgres', password: '' },
        database: 'temporal_cluster',
        visibilityDatabase: 'temporal_cluster_visibility',
        logLevel: 'warn',
      });
      const base = yaml.load(readFileSync(path.join(root, 'config', 'base.yaml'), 'utf8')) as {
        dynamicConfigClient: { filepath: string };
        persistence: { datastores: Record<string, { sql: { pluginName: string; databaseName: string } }> };
        services: Record<string, { rpc: { grpcPort: number } }>;
      };
      expect(base.dynamicConfigClient.filepath).toBe(DYNAMIC_CONFIG_FILE);
      // Postgres persistence and SQL visibility, as the compose file's server (DB=postgres12).
      expect(Object.values(base.persistence.datastores).map((d) => [d.sql.pluginName, d.sql.databaseName])).toEqual([
        ['postgres12', 'temporal_cluster'],
        ['postgres12', 'temporal_cluster_visibility'],
      ]);
      // Four services, none on the dev server's ports.
      expect(Object.keys(base.services).sort()).toEqual([...TEMPORAL_SERVICES].sort());
      for (const s of Object.values(base.services)) expect([7233, 8233]).not.toContain(s.rpc.grpcPort);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
