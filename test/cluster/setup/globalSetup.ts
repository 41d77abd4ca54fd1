import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import knexFactory from 'knex';
import { knexConfig } from '../../../knexfile';
import { ensureServerBinaries } from '../../../scripts/cluster/build';
import { allPorts, clusterPorts } from '../../../scripts/cluster/serverConfig';
import { startTemporalCluster } from '../../../scripts/cluster/temporalCluster';
import { portIsFree } from '../../../scripts/lib/ports';
import { ensureDatabase, startEmbeddedPostgres, withDatabase, type PostgresHandle } from '../../../scripts/postgres';
import { ensureTemporalCli } from '../../../scripts/temporalCli';

declare global {
  var __CLUSTER_POSTGRES__: PostgresHandle | undefined;
  var __CLUSTER_DATABASE_URLS__: string[] | undefined;
}

/** A port base whose 24 ports are all free, below the kernel's ephemeral range. */
async function freePortBase(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 21000 + 100 * Math.floor(Math.random() * 100);
    const free = await Promise.all(allPorts(clusterPorts(base)).map((p) => portIsFree('127.0.0.1', p)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free port range for the Temporal cluster');
}

/**
 * Once per `npm run test:cluster`: the production topology instead of the dev server. A
 * Temporal cluster built from source (scripts/cluster), its four services as four processes on
 * Postgres (DATABASE_URL's server, or an embedded one), with databases of this run's own; a fresh
 * migrated app database; one workflow bundle. Tests read them from the same variables as
 * `npm test`'s (TEST_TEMPORAL_ADDRESS, TEST_DATABASE_URL, TEST_WORKFLOW_BUNDLE), so the test
 * helpers work unchanged; TEST_CLUSTER_SPECS tells how to kill and start each service again.
 */
export default async function globalSetup(): Promise<void> {
  const log = (line: string) => console.log(`[cluster] ${line}`);
  const started = Date.now();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'booking-cluster-test-'));
  chmodSync(tmp, 0o755);
  process.env.TEST_TMP_DIR = tmp;
  const root = path.join(tmp, 'temporal');
  process.env.TEST_CLUSTER_ROOT = root;

  const cli = await ensureTemporalCli();
  if (cli.type !== 'existing-path') throw new Error('the cluster tests need the Temporal CLI (Go, or TEMPORAL_CLI_PATH)');
  const bin = await ensureServerBinaries(log);

  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const port = 20000 + Math.floor(Math.random() * 900);
    globalThis.__CLUSTER_POSTGRES__ = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port, persistent: false });
    serverUrl = globalThis.__CLUSTER_POSTGRES__.serverUrl;
  }
  const suffix = `${process.pid}_${Date.now()}`;
  const databases = { temporal: `temporal_ctest_${suffix}`, visibility: `temporal_ctest_${suffix}_visibility` };
  const appUrl = withDatabase(serverUrl, `booking_ctest_${suffix}`);
  globalThis.__CLUSTER_DATABASE_URLS__ = [appUrl, withDatabase(serverUrl, databases.temporal), withDatabase(serverUrl, databases.visibility)];

  const [cluster, , bundle] = await Promise.all([
    (async () =>
      startTemporalCluster({
        bin,
        cli: cli.path,
        root,
        serverUrl,
        databases,
        ports: clusterPorts(await freePortBase()),
        namespace: 'default',
        logLevel: 'warn',
        log,
      }))(),
    (async () => {
      await ensureDatabase(appUrl);
      const knex = knexFactory(knexConfig(appUrl));
      try {
        await knex.migrate.latest();
      } finally {
        await knex.destroy();
      }
    })(),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../../bench/workflows'), logger: silentLogger() }),
  ]);

  process.env.TEST_TEMPORAL_ADDRESS = cluster.address;
  process.env.TEST_DATABASE_URL = appUrl;
  process.env.TEST_TEMPORAL_DATABASES = JSON.stringify(databases);
  process.env.TEST_CLUSTER_SPECS = JSON.stringify(cluster.specs);
  const bundlePath = path.join(tmp, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  log(`Temporal cluster at ${cluster.address} (4 service processes, logs in ${root}/logs) ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function silentLogger() {
  const noop = () => undefined;
  return { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
}
