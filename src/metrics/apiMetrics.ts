import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { API_RESERVATION_OUTCOMES, PAYMENT_EVENT_OUTCOMES } from './outcomes';

export interface ApiMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  reservations: Counter<'outcome'>;
  paymentEvents: Counter<'outcome'>;
}

// Up to 30 s: a confirm may wait that long on its workflow before answering 503.
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The API's metrics, in a registry of their own (not prom-client's global one), so every app a
 * test builds starts from zero and two apps in one process do not clash.
 */
export function createApiMetrics(): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const reservations = new Counter({
    name: 'booking_reservations_total',
    help: 'Reservation requests by what the API answered: held, rejected (409 seat unavailable), confirmed, pending_payment, declined (402), cancelled',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  // Every outcome is exported from the start, so a rate() over it has a zero to begin with.
  for (const outcome of API_RESERVATION_OUTCOMES) reservations.inc({ outcome }, 0);
  const paymentEvents = new Counter({
    name: 'booking_payment_events_total',
    help: 'Signed payment webhooks by outcome; rejected: the event did not match a payment we made (reservation, amount or currency) and changed nothing',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  for (const outcome of PAYMENT_EVENT_OUTCOMES) paymentEvents.inc({ outcome }, 0);
  return {
    registry,
    paymentEvents,
    httpRequests: new Counter({ name: 'http_requests_total', help: 'HTTP requests by method, route pattern and status', labelNames, registers: [registry] }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by method, route pattern and status',
      labelNames,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    reservations,
  };
}
