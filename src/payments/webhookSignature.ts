import { createHmac, timingSafeEqual } from 'node:crypto';

/** Stripe's default: a signed event older (or newer) than this is refused, against replays. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureCheck = { ok: true; timestamp: number } | { ok: false; reason: string };

const hmac = (secret: string, timestamp: number, payload: Buffer | string) =>
  createHmac('sha256', secret).update(`${timestamp}.`).update(payload).digest();

/** The `Stripe-Signature` header for a payload: `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<payload>">`. */
export function signWebhookPayload(payload: Buffer | string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, payload).toString('hex')}`;
}

/**
 * Verifies a Stripe-compatible signature over the raw body: constant-time comparison, any of
 * several `v1` values (the provider signs with old and new secrets while rotating), and a
 * timestamp within the tolerance.
 */
export function verifyWebhookSignature(
  payload: Buffer,
  header: string | undefined,
  secrets: string[],
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing Stripe-Signature header' };
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && /^\d{1,12}$/.test(value ?? '')) timestamp = Number(value);
    if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value ?? '')) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined) return { ok: false, reason: 'no timestamp in signature header' };
  if (signatures.length === 0) return { ok: false, reason: 'no v1 signature in signature header' };
  if (Math.abs(nowSeconds - timestamp) > SIGNATURE_TOLERANCE_SECONDS) return { ok: false, reason: 'signature timestamp outside the tolerance' };
  const t = timestamp;
  const expected = secrets.map((s) => hmac(s, t, payload));
  const matches = signatures.some((sig) => expected.some((exp) => exp.length === sig.length && timingSafeEqual(exp, sig)));
  return matches ? { ok: true, timestamp } : { ok: false, reason: 'signature mismatch' };
}
