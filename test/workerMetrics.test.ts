import { ApplicationFailure } from '@temporalio/common';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor } from '@temporalio/worker';
import type { Context } from '@temporalio/activity';
import { createWorkerMetrics, outcomeInterceptor } from '../src/metrics/workerMetrics';
import { FailureType } from '../workflows/shared';

// Unit test of the interceptor's counting alone; test/faults/refund-no-such-payment.test.ts drives
// the real refund through a real worker.
describe('worker metrics: refunds the provider refused for good', () => {
  const metrics = createWorkerMetrics();
  const inbound = (activityType: string) =>
    outcomeInterceptor(metrics)({ info: { activityType } } as unknown as Context).inbound as ActivityInboundCallsInterceptor;
  const input = { args: [], headers: {} } as unknown as ActivityExecuteInput;
  const failing = (err: Error) => () => Promise.reject(err);
  const count = async () => (await metrics.refundFailures.get()).values.find((v) => v.labels.type === FailureType.PaymentNotFound)?.value;

  it('counts a non-retryable refund failure by type, and not a retryable one or another activity', async () => {
    expect(await count()).toBe(0);
    const permanent = ApplicationFailure.create({ message: 'no such payment', type: FailureType.PaymentNotFound, nonRetryable: true });
    await expect(inbound('refundPayment').execute!(input, failing(permanent))).rejects.toBe(permanent);
    await expect(inbound('refundPayment').execute!(input, failing(new Error('ECONNREFUSED')))).rejects.toThrow('ECONNREFUSED');
    await expect(inbound('chargePayment').execute!(input, failing(permanent))).rejects.toBe(permanent);
    expect(await count()).toBe(1);
  });
});

describe('worker metrics: reservation outcomes', () => {
  const metrics = createWorkerMetrics();
  const confirmed = async () => (await metrics.outcomes.get()).values.find((v) => v.labels.outcome === 'confirmed')?.value;
  const run = (activityType: string, result: unknown) =>
    (outcomeInterceptor(metrics)({ info: { activityType } } as unknown as Context).inbound as ActivityInboundCallsInterceptor).execute!(
      { args: ['r', 'p'], headers: {} } as unknown as ActivityExecuteInput,
      () => Promise.resolve(result),
    );

  it('counts a booking confirmed by either confirm step: confirmSeats (older workflows) or confirmBooking', async () => {
    expect(await confirmed()).toBe(0);
    await run('confirmSeats', new Date().toISOString());
    await run('confirmBooking', { confirmedAt: new Date().toISOString(), updatedAt: new Date().toISOString(), expiresAt: new Date().toISOString(), ticketIds: [] });
    await run('issueTickets', []);
    expect(await confirmed()).toBe(2);
  });
});
