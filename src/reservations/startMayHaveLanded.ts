import { isGrpcServiceError, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';

/**
 * gRPC codes with which Temporal answers a start it read and refused: INVALID_ARGUMENT, NOT_FOUND,
 * ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, UNAUTHENTICATED.
 */
const REFUSED = new Set([3, 5, 6, 7, 8, 9, 16]);

/**
 * Whether a workflow start that failed may have started the workflow all the same: a deadline
 * passed, the connection dropped, or no answer came. Only an answer that refused it says no.
 */
export function startMayHaveLanded(err: unknown): boolean {
  if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
  const cause = err instanceof Error && err.cause !== undefined ? err.cause : err;
  return !(isGrpcServiceError(cause) && REFUSED.has(cause.code));
}
