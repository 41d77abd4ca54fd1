import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ApiError } from '../src/http/errors';
import { updateFailureToApiError } from '../src/reservations/workflowErrors';
import { FailureType } from '../workflows/failures';
import { HISTORIES_DIR } from './helpers/histories';

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

  it('still has every failure type that recorded histories carry, under the same value', () => {
    const recorded = new Set<string>();
    const scan = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) scan(file);
        else if (entry.name.endsWith('.json')) for (const m of readFileSync(file, 'utf8').matchAll(/"applicationFailureInfo": \{\s*"type": "(\w+)"/g)) recorded.add(m[1]);
      }
    };
    scan(HISTORIES_DIR);
    expect(recorded.size).toBeGreaterThan(0);
    for (const type of recorded) expect(Object.values(FailureType)).toContain(type);
  });

  it('answers an unknown type as a refusal (409), not a crash', () => {
    expect(answer('SomethingNew')).toEqual({ status: 409, code: 'INVALID_STATE' });
  });
});
