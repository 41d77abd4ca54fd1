import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { FailureType, isFailureType } from '../../workflows/failures';
import { ApiError, serviceUnavailable } from '../http/errors';
import { showtimeStarted } from './showtimeStarted';

const cannotNow = (detail?: string) => new ApiError(409, 'INVALID_STATE', detail ?? 'The reservation cannot do that now');

/**
 * The API's answer to each failure type. Exhaustive on purpose: a type added to FailureType
 * does not compile until it is given an answer here.
 */
function failureToApiError(type: FailureType, message: string): ApiError {
  switch (type) {
    case FailureType.PaymentDeclined:
      return new ApiError(402, 'PAYMENT_DECLINED', message);
    case FailureType.PaymentUnavailable:
      return serviceUnavailable('The payment provider is unavailable; the hold stays. Retry shortly.');
    case FailureType.HoldExpired:
      return new ApiError(409, 'HOLD_EXPIRED', 'The hold has expired; the seats were released');
    case FailureType.ShowtimeStarted:
      return showtimeStarted();
    case FailureType.ExtensionLimit:
      return new ApiError(409, 'EXTENSION_LIMIT', message);
    case FailureType.InvalidState:
    case FailureType.CancellationCutoff:
      return cannotNow(message);
    case FailureType.InvalidArgument:
      return new ApiError(422, 'VALIDATION_ERROR', message);
    // Raised by activities, the refund workflow and webhook deliveries, never by a confirm or
    // cancel Update: should one surface, the reservation could not do what was asked.
    case FailureType.NotFound:
    case FailureType.PaymentNotFound:
    case FailureType.WebhookNotAcknowledged:
    case FailureType.WebhookDeliveryMissing:
      return cannotNow(message);
    default: {
      const unhandled: never = type;
      throw new Error(`No API answer for failure type ${String(unhandled)}`);
    }
  }
}

/**
 * Turns a rejected or failed confirm/cancel/extend Update into the API's answer: an ApiError, 'closed'
 * when the workflow has already ended (the caller answers from the stored status), or
 * undefined for anything else, which the caller rethrows (503 when Temporal is down).
 */
export function updateFailureToApiError(err: unknown): ApiError | 'closed' | undefined {
  if (isClosedWorkflowError(err)) return 'closed';
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && isFailureType(cause.type)) return failureToApiError(cause.type, cause.message);
    return cannotNow(cause?.message);
  }
  return undefined;
}

/** The workflow has ended (or never existed under that id): no Update or signal can reach it. */
export function isClosedWorkflowError(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  return /workflow execution already completed/i.test((err as Error | undefined)?.message ?? '');
}
