import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ApiError } from '../src/http/errors';
import { updateFailureToApiError } from '../src/reservations/workflowErrors';
import { FailureType } from '../workflows/failures';

const updateFailed = (type: string, message = 'why') => new WorkflowUpdateFailedError('update failed', ApplicationFailure.nonRetryable(message, type));
const answer = (type: string) => {
  const result = updateFailureToApiError(updateFailed(type));
  if (!(result instanceof ApiError)) throw new Error(`expected an ApiError for ${type}, got ${String(result)}`);
  return { status: result.status, code: result.code };
};

describe('the API answer to each workflow failure type', () => {
  it('maps every failure type the workflow raises to its status and code', () => {
    expect(answer(FailureType.PaymentDeclined)).toEqual({ status: 402, code: 'PAYMENT_DECLINED' });
    expect(answer(FailureType.PaymentUnavailable)).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(answer(FailureType.HoldExpired)).toEqual({ status: 409, code: 'HOLD_EXPIRED' });
    expect(answer(FailureType.ShowtimeStarted)).toEqual({ status: 409, code: 'SHOWTIME_STARTED' });
    expect(answer(FailureType.InvalidState)).toEqual({ status: 409, code: 'INVALID_STATE' });
    expect(answer(FailureType.CancellationCutoff)).toEqual({ status: 409, code: 'INVALID_STATE' });
    expect(answer(FailureType.InvalidArgument)).toEqual({ status: 422, code: 'VALIDATION_ERROR' });
  });

  it('answers every type with a 4xx or 503, never a 500', () => {
    for (const type of Object.values(FailureType)) expect([402, 409, 422, 503]).toContain(answer(type).status);
  });

  it('keeps the values recorded in workflow histories', () => {
    expect(FailureType).toEqual({
      PaymentDeclined: 'PaymentDeclined',
      PaymentUnavailable: 'PaymentUnavailable',
      HoldExpired: 'HoldExpired',
      ShowtimeStarted: 'ShowtimeStarted',
      InvalidState: 'InvalidState',
      CancellationCutoff: 'CancellationCutoffPassed',
      InvalidArgument: 'InvalidArgument',
      NotFound: 'NotFound',
      PaymentNotFound: 'PaymentNotFound',
    });
  });

  it('answers an unknown type as a refusal (409), not a crash', () => {
    expect(answer('SomethingNew')).toEqual({ status: 409, code: 'INVALID_STATE' });
  });
});
