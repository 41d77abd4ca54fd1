import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { PaymentNotFoundError } from '../src/payments/PaymentProvider';
import { StripePaymentProvider } from '../src/payments/StripePaymentProvider';
import { signWebhookPayload, verifyWebhookSignature } from '../src/payments/webhookSignature';

interface SeenRequest {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  form: URLSearchParams;
}

/**
 * The adapter against a stand-in for Stripe's HTTP API on loopback (the SDK pointed at it with
 * host/port/protocol), so the requests it really sends are checked; no network beyond 127.0.0.1.
 */
describe('Stripe payment provider adapter (unit)', () => {
  const seen: SeenRequest[] = [];
  let respond: (req: SeenRequest) => { status: number; body: unknown };
  let server: http.Server;
  let provider: StripePaymentProvider;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const request = { method: req.method ?? '', path: req.url ?? '', idempotencyKey: req.headers['idempotency-key'] as string | undefined, form: new URLSearchParams(body) };
        seen.push(request);
        const { status, body: out } = respond(request);
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_test' }).end(JSON.stringify(out));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const stripe = new Stripe('sk_test_unit', { host: '127.0.0.1', port: (server.address() as AddressInfo).port, protocol: 'http', maxNetworkRetries: 0 });
    provider = new StripePaymentProvider(stripe);
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => {
    seen.length = 0;
  });

  const intent = (status: string, extra: Record<string, unknown> = {}) => ({ id: 'pi_123', object: 'payment_intent', status, ...extra });
  const charge = () =>
    provider.charge({ amount: '25.50', currency: 'eur', paymentMethod: 'pm_card_visa', idempotencyKey: 'res-1:charge:1', metadata: { reservation_id: 'res-1' } });

  it('creates a confirmed PaymentIntent in cents with the idempotency key and the reservation in metadata', async () => {
    respond = () => ({ status: 200, body: intent('succeeded') });
    await expect(charge()).resolves.toEqual({ status: 'succeeded', paymentId: 'pi_123' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/v1/payment_intents', idempotencyKey: 'res-1:charge:1' });
    expect(Object.fromEntries(seen[0].form)).toMatchObject({
      amount: '2550',
      currency: 'eur',
      payment_method: 'pm_card_visa',
      confirm: 'true',
      'metadata[reservation_id]': 'res-1',
    });
  });

  it('maps processing and requires_action to pending (finished by webhook)', async () => {
    respond = () => ({ status: 200, body: intent('processing') });
    await expect(charge()).resolves.toEqual({ status: 'pending', paymentId: 'pi_123' });
    respond = () => ({ status: 200, body: intent('requires_action') });
    await expect(charge()).resolves.toEqual({ status: 'pending', paymentId: 'pi_123' });
  });

  it('maps a card error to a decline with Stripe\'s message', async () => {
    respond = () => ({
      status: 402,
      body: { error: { type: 'card_error', code: 'card_declined', message: 'Your card was declined.', payment_intent: intent('requires_payment_method', { id: 'pi_declined' }) } },
    });
    await expect(charge()).resolves.toEqual({ status: 'declined', paymentId: 'pi_declined', reason: 'Your card was declined.' });
  });

  it('asks for a payment by retrieving its PaymentIntent, and maps its status to a verdict', async () => {
    const cases: [string, Record<string, unknown>, unknown][] = [
      ['succeeded', {}, { status: 'succeeded', paymentId: 'pi_123' }],
      ['processing', {}, { status: 'pending', paymentId: 'pi_123' }],
      ['requires_action', {}, { status: 'pending', paymentId: 'pi_123' }],
      ['requires_capture', {}, { status: 'pending', paymentId: 'pi_123' }],
      ['requires_payment_method', { last_payment_error: { message: 'Your card has insufficient funds.' } }, { status: 'failed', paymentId: 'pi_123', failureReason: 'Your card has insufficient funds.' }],
      ['canceled', {}, { status: 'failed', paymentId: 'pi_123', failureReason: 'The payment was not completed (canceled).' }],
    ];
    for (const [status, extra, verdict] of cases) {
      respond = () => ({ status: 200, body: intent(status, extra) });
      await expect(provider.getPayment('pi_123')).resolves.toEqual(verdict);
    }
    expect(seen.map((r) => `${r.method} ${r.path}`)).toEqual(cases.map(() => 'GET /v1/payment_intents/pi_123'));
  });

  it("maps Stripe's resource_missing on a lookup to PaymentNotFoundError, and lets other errors through", async () => {
    respond = () => ({ status: 404, body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such payment_intent: pi_gone' } } });
    await expect(provider.getPayment('pi_gone')).rejects.toBeInstanceOf(PaymentNotFoundError);
    respond = () => ({ status: 500, body: { error: { type: 'api_error', message: 'Something went wrong' } } });
    await expect(provider.getPayment('pi_123')).rejects.not.toBeInstanceOf(PaymentNotFoundError);
  });

  it('lets infrastructure errors through so the activity is retried', async () => {
    respond = () => ({ status: 500, body: { error: { type: 'api_error', message: 'Something went wrong' } } });
    await expect(charge()).rejects.toBeInstanceOf(Stripe.errors.StripeAPIError);
  });

  it('refunds with the idempotency key and the amount in cents', async () => {
    respond = () => ({ status: 200, body: { id: 're_1', object: 'refund', status: 'succeeded' } });
    await expect(provider.refund({ paymentId: 'pi_123', amount: '25.50', idempotencyKey: 'res-1:refund:pi_123' })).resolves.toEqual({ refundId: 're_1' });
    expect(seen[0]).toMatchObject({ path: '/v1/refunds', idempotencyKey: 'res-1:refund:pi_123' });
    expect(Object.fromEntries(seen[0].form)).toMatchObject({ payment_intent: 'pi_123', amount: '2550' });
  });

  it('turns "No such PaymentIntent" on a refund into PaymentNotFoundError (permanent), other refund errors stay retryable', async () => {
    respond = () => ({
      status: 400,
      body: { error: { type: 'invalid_request_error', code: 'resource_missing', param: 'payment_intent', message: "No such payment_intent: 'pi_nope'" } },
    });
    await expect(provider.refund({ paymentId: 'pi_nope', amount: '10.00', idempotencyKey: 'k' })).rejects.toBeInstanceOf(PaymentNotFoundError);
    respond = () => ({ status: 500, body: { error: { type: 'api_error', message: 'Something went wrong' } } });
    await expect(provider.refund({ paymentId: 'pi_123', amount: '10.00', idempotencyKey: 'k2' })).rejects.toBeInstanceOf(Stripe.errors.StripeAPIError);
  });

  it('our webhook signatures and Stripe\'s are the same scheme, both ways (the SDK\'s test helpers)', () => {
    const stripe = new Stripe('sk_test_unit');
    const secret = 'whsec_unit_test_secret';
    const payload = JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1' } } });
    const stripeHeader = stripe.webhooks.generateTestHeaderString({ payload, secret });
    expect(verifyWebhookSignature(Buffer.from(payload), stripeHeader, [secret])).toMatchObject({ ok: true });
    expect(verifyWebhookSignature(Buffer.from(payload), stripeHeader, ['whsec_other'])).toMatchObject({ ok: false });
    const event = stripe.webhooks.constructEvent(payload, signWebhookPayload(payload, secret), secret);
    expect(event.id).toBe('evt_1');
  });
});
