import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { purgeStaleRowsWorkflow } from '../../workflows';

/** One schedule per task queue, so deployments (and test runs) sharing a namespace keep apart. */
export const purgeScheduleId = (taskQueue: string): string => `purge-stale-auth-rows-${taskQueue}`;

export const PURGE_INTERVAL = '1h';

/**
 * Creates the hourly purge schedule unless it exists. Every worker calls this at start-up; the
 * first one creates it and the rest find it there. An existing schedule is left as it is, so an
 * operator's pause or change in the Web UI survives restarts.
 */
export async function ensurePurgeSchedule(client: Client, taskQueue: string): Promise<'created' | 'exists'> {
  const scheduleId = purgeScheduleId(taskQueue);
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: PURGE_INTERVAL }] },
      action: { type: 'startWorkflow', workflowType: purgeStaleRowsWorkflow, workflowId: scheduleId, taskQueue },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      memo: { purpose: 'deletes expired and revoked refresh tokens and expired login limiter rows' },
    });
    return 'created';
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return 'exists';
    throw err;
  }
}
