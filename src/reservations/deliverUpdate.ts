import { WorkflowUpdateFailedError, WorkflowUpdateStage, type Client, type WorkflowUpdateHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { isUnavailableError } from '../http/unavailable';
import { isClosedWorkflowError } from './workflowErrors';

/** What became of an Update by the deadline. */
export type UpdateDelivery<T> =
  /** The workflow ran it (a failed or rejected Update throws WorkflowUpdateFailedError instead). */
  | { kind: 'completed'; result: T }
  /** The workflow accepted it, so it will run, but its result could not be fetched in time. */
  | { kind: 'accepted' };

const RETRY_MS = 250;

/**
 * Delivers an Update under one Update id until its fate is known: a lost answer from Temporal
 * (a restart, a dropped connection, a worker killed mid-Update) is retried with the same id,
 * which Temporal deduplicates, even after the workflow has closed. So an Update is never run
 * twice, and an error thrown from here means it was not accepted: the caller may answer 503.
 * Once accepted, the answer is its result, or 'accepted' when the result is late.
 */
export async function deliverUpdate<Ret, Args extends [unknown, ...unknown[]]>(
  temporal: Client,
  workflowId: string,
  def: UpdateDefinition<Ret, Args>,
  args: Args,
  updateId: string,
  deadline: number,
): Promise<UpdateDelivery<Ret>> {
  const handle = temporal.workflow.getHandle(workflowId);
  let accepted: WorkflowUpdateHandle<Ret> | undefined;
  for (;;) {
    try {
      accepted ??= await temporal.connection.withDeadline(deadline, () =>
        handle.startUpdate(def, { args, updateId, waitForStage: WorkflowUpdateStage.ACCEPTED }),
      );
      const update = accepted;
      return { kind: 'completed', result: await temporal.connection.withDeadline(deadline, () => update.result()) };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw err;
      if (isClosedWorkflowError(err)) {
        // The workflow closed after accepting: asking again under the same id returns the
        // outcome Temporal kept for it. Not accepted at all: the caller answers from the stored state.
        if (!accepted) throw err;
        accepted = undefined;
        continue;
      }
      const retryable = isUnavailableError(err) || (err as Error | undefined)?.name === 'WorkflowUpdateRPCTimeoutOrCancelledError';
      if (!retryable || Date.now() + RETRY_MS >= deadline) {
        if (accepted) return { kind: 'accepted' };
        throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}
