import { defineUpdate, setHandler, sleep } from '@temporalio/workflow';

/** The benchmark's Update-with-Start floor: the update answers at once, then the workflow waits. */
export const noopUpdate = defineUpdate<string, [string]>('noop');

export async function noopWithUpdateWorkflow(waitMs: number): Promise<void> {
  setHandler(noopUpdate, (payload) => payload);
  await sleep(waitMs);
}
