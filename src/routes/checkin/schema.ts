import { z } from 'zod';
import { BodyIntId } from '../../http/ids';
import { isStorableText, STORABLE_TEXT_MESSAGE } from '../../http/validate';
import { CHECKIN_RESULTS, INVALID_REASONS } from '../../tickets/results';
import { TicketStatusValue } from '../tickets/schema';

/** Offline scanners' clocks drift: a scan up to this far in the future is taken as it is. */
export const CLOCK_SKEW_MS = 5 * 60_000;
export const MAX_BATCH_SCANS = 500;

/**
 * Any text could be a damaged ticket: a malformed, truncated or forged secret is answered
 * `invalid` (200), so the door staff see one kind of "no". Only what cannot be a scan at all
 * (missing, not text, empty, absurdly long) is a 422.
 */
const Secret = z.string({ error: 'must be the text of a ticket QR code' }).min(1, 'must not be empty').max(1000, 'is too long to be a ticket secret');
const Nonce = z
  .string({ error: 'is required: a value unique per scan, sent again unchanged on a retry' })
  .min(1, 'must not be empty')
  .max(100)
  .refine(isStorableText, STORABLE_TEXT_MESSAGE);
const Gate = z.string().trim().min(1).max(100).refine(isStorableText, STORABLE_TEXT_MESSAGE);

export const CheckinBody = z.object({
  secret: Secret,
  showtime_id: BodyIntId.optional().describe('The showtime this door admits to; a ticket for another answers wrong_showtime'),
  gate: Gate.optional(),
  nonce: Nonce,
});

const ScannedAt = z.iso
  .datetime({ offset: true, error: 'must be an ISO 8601 time with offset' })
  .refine((v) => Date.parse(v) <= Date.now() + CLOCK_SKEW_MS, 'is in the future');

export const BatchScan = CheckinBody.extend({ scanned_at: ScannedAt });

export const CheckinBatchBody = z.object({
  showtime_id: BodyIntId.optional().describe('Default for scans that name none'),
  gate: Gate.optional().describe('Default for scans that name none'),
  scans: z
    .array(BatchScan)
    .min(1, 'send at least one scan')
    .max(MAX_BATCH_SCANS, `at most ${MAX_BATCH_SCANS} scans per upload`)
    .refine((scans) => new Set(scans.map((s) => s.nonce)).size === scans.length, 'nonces must be distinct within an upload'),
});

const Timestamp = z.iso.datetime({ offset: true });

export const CheckinResponse = z.object({
  result: z.enum(CHECKIN_RESULTS),
  reason: z.enum(INVALID_REASONS).nullable().describe('With invalid: bad_signature, unknown_ticket, or expired (the show has ended)'),
  ticket_id: z.uuid().nullable(),
  showtime_id: z.number().int().nullable(),
  seat_id: z.number().int().nullable(),
  seat_label: z.string().nullable(),
  checked_in_at: Timestamp.nullable().describe('With ok: this admission; with already_used: the first one'),
  checked_in_gate: z.string().nullable(),
  doors_open_at: Timestamp.nullable().describe('With too_early'),
  scanned_at: Timestamp,
  displaced: z.object({ checked_in_at: Timestamp, gate: z.string().nullable() }).nullable().describe('Offline only: the later admission this earlier scan took over'),
});

export const CheckinBatchResponse = z.object({
  results: z.array(CheckinResponse.extend({ nonce: z.string(), replayed: z.boolean() })).describe('In the order sent'),
  conflicts: z.array(
    z.object({
      ticket_id: z.uuid(),
      nonce: z.string(),
      scanned_at: Timestamp,
      gate: z.string().nullable(),
      admitted_at: Timestamp.describe('The admission that stands: the earliest scan'),
      admitted_gate: z.string().nullable(),
      kind: z.enum(['already_used', 'displaced_later_admission']),
    }),
  ),
});

export const CheckinListResponse = z.object({
  showtime_id: z.number().int(),
  starts_at: Timestamp,
  doors_open_at: Timestamp,
  ends_at: Timestamp,
  generated_at: Timestamp,
  tickets: z.array(
    z.object({
      id: z.uuid(),
      seat_id: z.number().int(),
      seat_label: z.string(),
      status: TicketStatusValue,
      secret_hash: z.string().describe('Lowercase hex SHA-256 of the secret'),
      checked_in_at: Timestamp.nullable(),
    }),
  ),
});
