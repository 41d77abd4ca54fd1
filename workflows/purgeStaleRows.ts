import { log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PurgeResult } from '../activities/maintenance';

const { purgeStaleAuthRows } = proxyActivities<Activities>({
  startToCloseTimeout: '5m',
  // The next scheduled run tries again anyway; a purge that keeps failing should show as failed.
  retry: { initialInterval: '10s', maximumAttempts: 5 },
});

/** Started by the purge schedule (src/temporal/purgeSchedule.ts): deletes dead tokens and limiter rows. */
export async function purgeStaleRowsWorkflow(): Promise<PurgeResult> {
  const result = await purgeStaleAuthRows();
  log.info('purged stale auth rows', { ...result });
  return result;
}
