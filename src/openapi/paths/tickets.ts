import { z } from 'zod';
import { IdParams } from '../../http/ids';
import { CheckinBatchBody, CheckinBatchResponse, CheckinBody, CheckinListResponse, CheckinResponse } from '../../routes/checkin/schema';
import { PublicKeyResponse, ReservationTicketsResponse } from '../../routes/tickets/schema';
import { named } from '../common';
import type { ErrorDoc, RouteDoc } from '../types';

// The router answers a malformed id with 404, not 422: it names no reservation.
const ReservationParams = z.object({ id: z.string().meta({ description: 'Reservation id (UUID)', format: 'uuid' }) });
const RESERVATION_NOT_FOUND: ErrorDoc = { status: 404, codes: { RESERVATION_NOT_FOUND: "No such reservation, or another user's" } };
const VALIDATION: ErrorDoc = { status: 422, codes: { VALIDATION_ERROR: 'Not a scan at all: a field is missing or of the wrong type' } };
const STAFF = { roles: ['admin', 'staff'] } as const;
const EXAMPLE_SECRET = 'AQAAAAAAAAAAAAAAAAAAAAAAAAABAAAAAQ.c2lnbmF0dXJl';
const Checkin = named('CheckinResult', CheckinResponse);

const RESULTS =
  '`result` is one of: `ok` (admitted now); `already_used` (with the first admission\'s `checked_in_at` and `checked_in_gate`); ' +
  '`revoked` (the booking was cancelled or refunded); `wrong_showtime` (the ticket is for another showtime than `showtime_id`); ' +
  '`too_early` (before doors open, DOORS_OPEN_MINUTES before the start; `doors_open_at`); ' +
  '`invalid` (a malformed, truncated, forged or altered secret, an unknown ticket, or a show that has ended; `reason`). ' +
  'Only `ok` admits; every scan is recorded with who, gate, when and result.';

export const ticketRoutes: RouteDoc[] = [
  {
    method: 'GET',
    path: '/api/v1/tickets/public-key',
    operationId: 'getTicketPublicKey',
    summary: 'The key that verifies tickets',
    description: 'The Ed25519 public key of TICKET_SIGNING_PRIVATE_KEY: with it a scanner verifies a ticket secret offline.',
    tag: 'tickets',
    auth: 'none',
    responses: [{ status: 200, description: 'The public key and the secret format', schema: named('TicketPublicKey', PublicKeyResponse) }],
  },
  {
    method: 'GET',
    path: '/api/v1/reservations/:id/tickets',
    operationId: 'getReservationTickets',
    summary: "A booking's tickets with QR codes (owner, staff, admin)",
    description: 'One ticket per seat, issued by the reservation\'s workflow when it is confirmed and revoked when it is cancelled. Each carries its secret and the QR code of it as SVG and PNG data URLs.',
    tag: 'tickets',
    auth: 'bearer',
    params: ReservationParams,
    paramDescriptions: { id: 'Reservation id (UUID)' },
    responses: [{ status: 200, description: 'The tickets', schema: named('ReservationTickets', ReservationTicketsResponse) }],
    errors: [RESERVATION_NOT_FOUND],
  },
  {
    method: 'GET',
    path: '/api/v1/reservations/:id/tickets/print',
    operationId: 'printReservationTickets',
    summary: 'Printable ticket page (owner, staff, admin)',
    description: 'An HTML page with one ticket per printed page: film, time, auditorium, seat, QR code and the secret in text.',
    tag: 'tickets',
    auth: 'bearer',
    params: ReservationParams,
    paramDescriptions: { id: 'Reservation id (UUID)' },
    responses: [{ status: 200, description: 'An HTML page', contentType: 'text/html' }],
    errors: [RESERVATION_NOT_FOUND],
  },
  {
    method: 'POST',
    path: '/api/v1/checkin',
    operationId: 'checkIn',
    summary: 'Scan a ticket at the door (staff, admin)',
    description:
      `${RESULTS} A ticket is admitted exactly once however many gates scan it at the same moment (a database constraint). ` +
      'The `nonce` makes a retry safe: the same nonce from the same scanner gets the first answer again (header `Idempotent-Replayed: true`), never `already_used`.',
    tag: 'checkin',
    auth: STAFF,
    body: {
      schema: named('CheckinRequest', CheckinBody),
      examples: { scan: { summary: 'A scan at gate A', value: { secret: EXAMPLE_SECRET, showtime_id: 42, gate: 'A', nonce: 'scanner-7-000123' } } },
    },
    responses: [{ status: 200, description: 'The verdict, whatever it is', schema: Checkin, headers: { 'Idempotent-Replayed': '`true` when this nonce was answered before' } }],
    errors: [VALIDATION],
  },
  {
    method: 'POST',
    path: '/api/v1/checkin/batch',
    operationId: 'checkInBatch',
    summary: 'Upload offline scans (staff, admin)',
    description:
      'Scans a scanner made without a connection, with the time it made each (`scanned_at`). They are applied in the order they were scanned: the first scan of a ticket wins, ' +
      'also over an admission recorded online later (that one is then reported). `conflicts` lists every ticket admitted twice. Each scan is idempotent by its nonce, so an upload may be retried whole.',
    tag: 'checkin',
    auth: STAFF,
    body: {
      schema: named('CheckinBatchRequest', CheckinBatchBody),
      examples: {
        upload: {
          summary: 'Two scans made offline',
          value: {
            showtime_id: 42,
            gate: 'B',
            scans: [
              { secret: EXAMPLE_SECRET, nonce: 'scanner-9-000001', scanned_at: '2026-12-01T19:02:11Z' },
              { secret: EXAMPLE_SECRET, nonce: 'scanner-9-000002', scanned_at: '2026-12-01T19:02:40Z' },
            ],
          },
        },
      },
    },
    responses: [{ status: 200, description: 'One result per scan, in the order sent, and the conflicts', schema: named('CheckinBatchResult', CheckinBatchResponse) }],
    errors: [VALIDATION],
  },
  {
    method: 'GET',
    path: '/api/v1/showtimes/:id/checkin-list',
    operationId: 'getCheckinList',
    summary: 'What a scanner caches to work offline (staff, admin)',
    description: 'Every ticket of the showtime with its status, whether it was admitted, and the SHA-256 of its secret (never the secret).',
    tag: 'checkin',
    auth: STAFF,
    params: IdParams,
    paramDescriptions: { id: 'Showtime id' },
    responses: [{ status: 200, description: 'The list', schema: named('CheckinList', CheckinListResponse) }],
    errors: [{ status: 404, codes: { SHOWTIME_NOT_FOUND: 'No such showtime, or it was deleted' } }, { status: 422, codes: { VALIDATION_ERROR: 'The id is not a positive integer' } }],
  },
];
