import { rmSync } from 'node:fs';
import { dropDatabase } from '../../scripts/postgres';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__TEST_TEMPORAL__?.teardown();
  if (globalThis.__TEST_DATABASE_URL__) await dropDatabase(globalThis.__TEST_DATABASE_URL__).catch(() => undefined);
  await globalThis.__TEST_POSTGRES__?.stop();
  if (process.env.TEST_TMP_DIR) rmSync(process.env.TEST_TMP_DIR, { recursive: true, force: true });
}
