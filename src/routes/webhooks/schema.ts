/** The webhook route's body is the payments module's event shape. */
export { PaymentWebhookEvent } from '../../payments/paymentEvent';
