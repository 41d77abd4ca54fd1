import type { Middleware } from 'koa';
import type { ApiMetrics } from './apiMetrics';
import { reservationOutcome } from './outcomes';
import { routeLabel } from './routeLabel';

/** Counts and times every request by route pattern and final status (mounted outside the error middleware). */
export function httpMetrics(metrics: ApiMetrics): Middleware {
  return async (ctx, next) => {
    const stop = metrics.httpDuration.startTimer();
    try {
      await next();
    } finally {
      const labels = { method: ctx.method, route: routeLabel(ctx), status: String(ctx.status) };
      stop(labels);
      metrics.httpRequests.inc(labels);
      const outcome = reservationOutcome(ctx);
      if (outcome) metrics.reservations.inc({ outcome });
      if (ctx.state.paymentEventOutcome) metrics.paymentEvents.inc({ outcome: ctx.state.paymentEventOutcome });
    }
  };
}
