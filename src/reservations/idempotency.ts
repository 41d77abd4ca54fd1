import { createHash } from 'node:crypto';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** A stable UUID for (user, Idempotency-Key), so a retried request finds the same reservation and workflow. */
export function idempotentReservationId(userId: number, key: string): string {
  const h = digest(`reservation:${userId}:${key}`);
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A stable Temporal Update id for (update, user, Idempotency-Key): Temporal runs an Update id
 * once per workflow, so a retried confirm or cancel attaches to the first one and gets its result.
 */
export function idempotentUpdateId(update: string, userId: number, key: string): string {
  return `${update}-${digest(`${update}:${userId}:${key}`).subarray(0, 16).toString('hex')}`;
}
