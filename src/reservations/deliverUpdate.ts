import { WorkflowUpdateFailedError, WorkflowUpdateStage, type Client, type WorkflowUpdateHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { isUnavailableError } from '../http/unavailable';
import { isClosedWorkflowError } from './workflowErrors';

/** What became of an Update by the deadline. */
export type UpdateDelivery<T> =
  /** The workflow ran it (a failed or rejected Update throws WorkflowUpdateFailedError instead). */
  | { kind: 'completed'; result: T }
  /** The workflow accepted it, so it will run, but its result could not be fetched in time. */
  | { kind: 'accepted' }
  /** A request for it may have reached Temporal, which may still deliver it: the outcome is not known. */
  | { kind: 'unknown' };

const RETRY_MS = 250;
/**
 * The time the one-call delivery leaves before the deadline, to learn an Update's fate should that
 * call not answer: whether it was accepted (a second call under the same id says at once).
 */
const FATE_MARGIN_MS = 2_000;

/** gRPC's UNAVAILABLE before any connection: the request never left this process. */
function neverReachedTemporal(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as { code?: unknown; details?: unknown; message?: unknown; cause?: unknown };
  const text = `${typeof e.details === 'string' ? e.details : ''} ${typeof e.message === 'string' ? e.message : ''}`;
  if (e.code === 14 && /No connection established|ECONNREFUSED|waiting for connection/.test(text)) return true;
  return neverReachedTemporal(e.cause, depth + 1);
}

const isRpcTimeout = (err: unknown): boolean => (err as Error | undefined)?.name === 'WorkflowUpdateRPCTimeoutOrCancelledError';

/**
 * Delivers an Update under one Update id until its fate is known: a lost answer from Temporal
 * (a restart, a dropped connection, a worker killed mid-Update) is retried with the same id,
 * which Temporal deduplicates, even after the workflow has closed. So an Update never runs twice.
 * It throws when the Update certainly did not run (rejected, workflow closed, or Temporal never
 * reached: the caller may answer 503); once accepted, the answer is its result, or 'accepted'
 * when the result is late; 'unknown' when a request may have reached Temporal but its fate
 * could not be learnt by the deadline.
 *
 * The common case is one call that waits for the Update's completion (as `executeUpdate`: the
 * server answers with the outcome; on its own long-poll timeout the SDK asks again under the same
 * id, then polls for the outcome). Should that call fail, or not answer by FATE_MARGIN_MS before
 * the deadline, the two-step loop below takes over under the same id: it learns whether the Update
 * was accepted, and waits for the result as long as the deadline allows.
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
  let maybeDelivered = false;
  if (Date.now() < deadline - FATE_MARGIN_MS) {
    try {
      const result = await temporal.connection.withDeadline(deadline - FATE_MARGIN_MS, () => handle.executeUpdate(def, { args, updateId }));
      return { kind: 'completed', result };
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw err;
      // A closed workflow: the loop asks once more under the same id whether it had accepted the Update.
      if (!isClosedWorkflowError(err)) {
        if (neverReachedTemporal(err)) throw err;
        if (!isUnavailableError(err) && !isRpcTimeout(err)) throw err;
        maybeDelivered = true;
      }
    }
  }
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
      // The client has already retried its connection for a while: the Update was never sent.
      if (!accepted && !maybeDelivered && neverReachedTemporal(err)) throw err;
      if (!isUnavailableError(err) && !isRpcTimeout(err)) throw err;
      maybeDelivered = true;
      if (Date.now() + RETRY_MS >= deadline) return accepted ? { kind: 'accepted' } : { kind: 'unknown' };
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }
}
