import { z } from 'zod';

const Timestamp = z.iso.datetime({ offset: true });

export const TicketStatusValue = z.enum(['issued', 'revoked', 'expired']);

/** Response shapes, for the OpenAPI document (src/tickets/view.ts builds them). */
export const TicketResponse = z.object({
  id: z.uuid(),
  reservation_id: z.uuid(),
  showtime_id: z.number().int(),
  seat_id: z.number().int(),
  seat_label: z.string(),
  status: TicketStatusValue.describe('`expired` once the show has ended'),
  secret: z.string().describe('What the QR code says: base64url(payload).base64url(Ed25519 signature); see GET /tickets/public-key'),
  issued_at: Timestamp,
  revoked_at: Timestamp.nullable(),
  checked_in_at: Timestamp.nullable(),
  qr_svg: z.string().describe('The QR code of `secret` as a data URL, `data:image/svg+xml;base64,...`'),
  qr_png: z.string().describe('The same as a PNG data URL, `data:image/png;base64,...`'),
});

export const ReservationTicketsResponse = z.object({
  reservation_id: z.uuid(),
  showtime_id: z.number().int(),
  movie_title: z.string(),
  auditorium_name: z.string(),
  starts_at: Timestamp,
  tickets: z.array(TicketResponse).describe('One per seat, issued when the booking is confirmed; empty before'),
});

export const PublicKeyResponse = z.object({
  algorithm: z.literal('Ed25519'),
  public_key: z.string().describe('The raw 32-byte public key, base64'),
  public_key_pem: z.string().describe('The same as an SPKI PEM'),
  secret_format: z.string().describe('How to read and verify a secret'),
});
