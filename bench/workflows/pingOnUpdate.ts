import { defineUpdate, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { Activities } from '../../activities';

const { ping } = proxyActivities<Activities>({ startToCloseTimeout: '10s' });

/** The confirm's floor: an Update on a running workflow that runs one activity (a Postgres round trip) and replies. */
export const pingUpdate = defineUpdate<string, []>('ping');

export async function pingOnUpdateWorkflow(waitMs: number): Promise<void> {
  setHandler(pingUpdate, () => ping());
  await sleep(waitMs);
}
