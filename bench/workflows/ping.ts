import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';

const { ping } = proxyActivities<Activities>({ startToCloseTimeout: '10s' });

/** A round trip through a worker to Postgres: used by the smoke test and health tooling. */
export async function pingWorkflow(): Promise<string> {
  return ping();
}
