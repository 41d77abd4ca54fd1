import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import type { ReleaseSeatsInput } from '../../activities/reservations';
import type { RetakeOutcome } from '../../activities/latePayment';
import { FailureType } from '../../workflows/failures';

export const WORKER_RESERVATION_OUTCOMES = ['confirmed', 'expired', 'cancelled'] as const;
export type WorkerReservationOutcome = (typeof WORKER_RESERVATION_OUTCOMES)[number];

export interface WorkerMetrics {
  registry: Registry;
  outcomes: Counter<'outcome'>;
  refundFailures: Counter<'type'>;
}

/** The worker's own metrics (the SDK's are served by the Temporal core on another port). */
export function createWorkerMetrics(): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const outcomes = new Counter({
    name: 'booking_worker_reservation_outcomes_total',
    help: 'Reservations the worker confirmed, expired or cancelled (by user, admin, operator or payment webhook), counted when the activity that writes it succeeds',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  for (const outcome of WORKER_RESERVATION_OUTCOMES) outcomes.inc({ outcome }, 0);
  const refundFailures = new Counter({
    name: 'booking_worker_refund_failures_total',
    help: 'Refunds the payment provider refused for good (type PaymentNotFound: no such payment); each needs an operator',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  refundFailures.inc({ type: FailureType.PaymentNotFound }, 0);
  return { registry, outcomes, refundFailures };
}

/** What a successful activity says about its reservation, if anything. */
function outcomeOf(activityType: string, args: readonly unknown[], result: unknown): WorkerReservationOutcome | undefined {
  // The confirm's database step: one of them since the confirm-and-issue-tickets-together patch.
  if (activityType === 'confirmSeats' || activityType === 'confirmBooking') return 'confirmed';
  // A late payment that took its seats back is a booking too.
  if (activityType === 'retakeSeats' && (result as RetakeOutcome | undefined)?.outcome === 'confirmed') return 'confirmed';
  if (activityType === 'releaseSeats') return (args[0] as ReleaseSeatsInput | undefined)?.outcome;
  return undefined;
}

/**
 * Counts outcomes where they become true: in the activities that write them to Postgres. The
 * timer's expiry and an operator's cancel signal never pass through the API, so only the worker
 * sees them. A retried activity that had already succeeded once would count twice; Temporal
 * retries only failed attempts, so that needs a lost completion and stays rare.
 */
export function outcomeInterceptor(metrics: WorkerMetrics): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        let result: unknown;
        try {
          result = await next(input);
        } catch (err) {
          // Retryable failures come back on their own; a permanent one is money an operator must settle.
          if (ctx.info.activityType === 'refundPayment' && err instanceof ApplicationFailure && err.nonRetryable) {
            metrics.refundFailures.inc({ type: err.type ?? 'unknown' });
          }
          throw err;
        }
        const outcome = outcomeOf(ctx.info.activityType, input.args, result);
        if (outcome) metrics.outcomes.inc({ outcome });
        return result;
      },
    },
  });
}
