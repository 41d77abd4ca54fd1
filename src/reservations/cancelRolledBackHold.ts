import type { Client } from '@temporalio/client';
import { reservationWorkflowId } from '../../workflows/shared';

/** How long the API waits for Temporal to take the cancellation request. */
const CANCEL_DEADLINE_MS = 2_000;

/**
 * The hold's workflow is `held` from its input and reads the row only when first needed, so a
 * run whose hold rolled back would stay live until the hold's deadline. Where the API knows the
 * hold rolled back after its start may have landed, it asks that run to cancel: the workflow then
 * reads the row at once (under the hold's lock) and, finding none, ends `abandoned`.
 * Best-effort: should Temporal not take the request, the deadline's check ends it all the same.
 * `runId` names the run when it is known, so a later attempt under the same id is never touched.
 */
export async function cancelRolledBackHold(temporal: Client, reservationId: string, runId?: string): Promise<void> {
  await temporal.connection
    .withDeadline(Date.now() + CANCEL_DEADLINE_MS, () => temporal.workflow.getHandle(reservationWorkflowId(reservationId), runId).cancel())
    .catch(() => undefined);
}
