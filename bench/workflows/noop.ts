import { sleep } from '@temporalio/workflow';

/** The benchmark's floor: a workflow that only waits on a timer, as a hold does. */
export async function noopWorkflow(waitMs: number): Promise<void> {
  await sleep(waitMs);
}
