import Router from '@koa/router';
import type { AppDeps } from '../../deps';
import { ApiError } from '../../http/errors';
import { requestLog } from '../../http/requestId';
import { applyPaymentEvent } from '../../payments/applyPaymentEvent';
import { verifyWebhookSignature } from '../../payments/webhookSignature';
import { PaymentWebhookEvent } from './schema';

/**
 * POST /webhooks/payments: the payment provider's callbacks. No bearer token; the signature over
 * the raw body is the authentication, checked before the body is looked at.
 */
export function webhooksRouter(deps: AppDeps): Router {
  const router = new Router({ prefix: '/webhooks' });
  // Several comma-separated secrets are accepted while one is being rotated.
  const secrets = deps.config.paymentWebhookSecret.split(',').map((s) => s.trim()).filter(Boolean);

  router.post('/payments', async (ctx) => {
    const check = verifyWebhookSignature(ctx.request.rawBody ?? Buffer.alloc(0), ctx.get('stripe-signature') || undefined, secrets);
    if (!check.ok) throw new ApiError(400, 'INVALID_SIGNATURE', `Webhook signature verification failed: ${check.reason}`);
    const event = PaymentWebhookEvent.safeParse(ctx.request.body);
    if (!event.success) throw new ApiError(400, 'INVALID_EVENT', 'The body is not a payment event');
    const outcome = await applyPaymentEvent({ ...deps, logger: requestLog(ctx, deps.logger) }, event.data);
    ctx.state.paymentEventOutcome = outcome;
    // A rejected event is answered 200 as well: it is recorded, and a redelivery could not change the verdict.
    ctx.status = 200;
    ctx.body = { received: true, event_id: event.data.id, outcome };
  });
  return router;
}
