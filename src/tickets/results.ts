/** What a scan can answer (API.md, round 2). Imports nothing, so schemas and SQL share it. */
export const CHECKIN_RESULTS = ['ok', 'already_used', 'revoked', 'wrong_showtime', 'too_early', 'invalid'] as const;
export type CheckinResult = (typeof CHECKIN_RESULTS)[number];

/** Why a scan was `invalid`; the scanner shows it to the door staff. */
export const INVALID_REASONS = ['bad_signature', 'unknown_ticket', 'expired'] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

/** The answer to one scan, stored with it so a retry with the same nonce gets it again. */
export interface CheckinAnswer {
  result: CheckinResult;
  /** Only with `invalid`. */
  reason: InvalidReason | null;
  ticket_id: string | null;
  showtime_id: number | null;
  seat_id: number | null;
  seat_label: string | null;
  /** The admission: this scan's with `ok`, the first one's with `already_used`; else null. */
  checked_in_at: string | null;
  checked_in_gate: string | null;
  /** With `too_early`: when doors open. */
  doors_open_at: string | null;
  scanned_at: string;
  /**
   * An offline scan earlier than the admission already recorded took its place (first scan
   * wins): when and at which gate that later admission was.
   */
  displaced: { checked_in_at: string; gate: string | null } | null;
}
