import type { Knex } from 'knex';
import type { PaymentProvider } from '../src/payments/PaymentProvider';
import { createReservationActivities } from './reservations';
import { createPaymentActivities } from './payments';
import { createMaintenanceActivities } from './maintenance';
import { createTicketActivities } from './tickets';
import { createBookingActivities } from './booking';
import { createHoldExtensionActivities } from './holdExtension';
import { createLatePaymentActivities } from './latePayment';
import { createPaymentStatusActivities } from './paymentStatus';
import type { TicketKeys } from '../src/tickets/keys';
import { createWebhookActivities, type WebhookSendingOptions } from './webhooks';

export interface ActivityDeps {
  knex: Knex;
  paymentProvider: PaymentProvider;
  ticketKeys: TicketKeys;
  /** Outbound webhooks; without it private targets are refused, as in production. */
  webhooks?: WebhookSendingOptions;
}

/** Builds every activity from its dependencies; the worker hands in real ones, and so do tests. */
export function createActivities({ knex, paymentProvider, ticketKeys, webhooks = { allowPrivateTargets: false } }: ActivityDeps) {
  return {
    ...createReservationActivities(knex),
    ...createPaymentActivities(knex, paymentProvider),
    ...createMaintenanceActivities(knex),
    ...createTicketActivities(knex, ticketKeys),
    ...createBookingActivities(knex, ticketKeys),
    ...createHoldExtensionActivities(knex),
    ...createLatePaymentActivities(knex),
    ...createPaymentStatusActivities(paymentProvider),
    ...createWebhookActivities(knex, webhooks),
    /** The benchmark's and smoke test's no-op: proves a worker can reach Postgres. */
    async ping(): Promise<string> {
      const { rows } = await knex.raw<{ rows: { now: Date }[] }>('SELECT now() AS now');
      return new Date(rows[0].now).toISOString();
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
