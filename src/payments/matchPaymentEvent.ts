import type { Knex } from 'knex';
import type { PaymentRejectionReason } from '../../workflows/shared';
import { Payment } from '../db/models';
import { toCents } from '../money';
import type { PaymentWebhookEvent } from './paymentEvent';

/**
 * Why an event must not touch its reservation, or null when it matches a payment we made: the
 * provider's signature proves who sent it, not that its ids belong together, and an event that
 * names one reservation with another's payment would otherwise refund or confirm the wrong one.
 */
export async function paymentEventMismatch(
  db: Knex | Knex.Transaction,
  event: PaymentWebhookEvent,
  reservationId: string,
): Promise<PaymentRejectionReason | null> {
  const object = event.data.object;
  const payment = await Payment.query(db).modify('ofProviderPayment', object.id).select('reservation_id', 'amount', 'currency').first();
  if (!payment) return 'unknown_payment';
  if (payment.reservation_id.toLowerCase() !== reservationId.toLowerCase()) return 'reservation_mismatch';
  // A success must carry what was charged; a failure's amount is only checked when it has one.
  const succeeded = event.type === 'payment_intent.succeeded';
  if (object.amount === undefined ? succeeded : object.amount !== toCents(payment.amount)) return 'amount_mismatch';
  // Stripe always sends the currency; the API.md event shape leaves it out, so absence is not a mismatch.
  if (object.currency !== undefined && object.currency.toLowerCase() !== payment.currency.toLowerCase()) return 'currency_mismatch';
  return null;
}
