import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { FailureType } from '../../workflows/shared';
import { ApiError, serviceUnavailable } from '../http/errors';
import { showtimeStarted } from './showtimeStarted';

/**
 * Turns a rejected or failed confirm/cancel Update into the API's answer: an ApiError, 'closed'
 * when the workflow has already ended (the caller answers from the stored status), or
 * undefined for anything else, which the caller rethrows (503 when Temporal is down).
 */
export function updateFailureToApiError(err: unknown): ApiError | 'closed' | undefined {
  if (isClosedWorkflowError(err)) return 'closed';
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure) {
      switch (cause.type) {
        case FailureType.PaymentDeclined:
          return new ApiError(402, 'PAYMENT_DECLINED', cause.message);
        case FailureType.HoldExpired:
          return new ApiError(409, 'HOLD_EXPIRED', 'The hold has expired; the seats were released');
        case FailureType.ShowtimeStarted:
          return showtimeStarted();
        case FailureType.InvalidState:
        case FailureType.CancellationCutoff:
          return new ApiError(409, 'INVALID_STATE', cause.message);
        case 'PaymentUnavailable':
          return serviceUnavailable('The payment provider is unavailable; the hold stays. Retry shortly.');
        case 'InvalidArgument':
          return new ApiError(422, 'VALIDATION_ERROR', cause.message);
      }
    }
    return new ApiError(409, 'INVALID_STATE', cause?.message ?? 'The reservation cannot do that now');
  }
  return undefined;
}

/** The workflow has ended (or never existed under that id): no Update or signal can reach it. */
export function isClosedWorkflowError(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  return /workflow execution already completed/i.test((err as Error | undefined)?.message ?? '');
}
