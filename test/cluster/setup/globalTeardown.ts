import { rmSync } from 'node:fs';
import { killAllUnder } from '../../../scripts/cluster/services';
import { dropDatabase } from '../../../scripts/postgres';

export default async function globalTeardown(): Promise<void> {
  // Every service of this run's cluster, also one a test started again itself.
  if (process.env.TEST_CLUSTER_ROOT) await killAllUnder(process.env.TEST_CLUSTER_ROOT);
  for (const url of globalThis.__CLUSTER_DATABASE_URLS__ ?? []) await dropDatabase(url).catch(() => undefined);
  await globalThis.__CLUSTER_POSTGRES__?.stop();
  if (process.env.KEEP_CLUSTER_LOGS !== '1' && process.env.TEST_TMP_DIR) rmSync(process.env.TEST_TMP_DIR, { recursive: true, force: true });
}
