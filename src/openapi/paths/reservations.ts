import { z } from 'zod';
import { CancelReservationBody, ConfirmReservationBody, CreateReservationBody, IdempotencyKey, ListReservationsQuery, ReservationResponse } from '../../routes/reservations/schema';
import { named, pageOf } from '../common';
import type { ErrorDoc, RouteDoc } from '../types';

const Reservation = named('Reservation', ReservationResponse);
// The router answers a malformed id with 404, not 422: it names no reservation.
const ReservationParams = z.object({ id: z.string().meta({ description: 'Reservation id (UUID)', format: 'uuid' }) });
const NOT_FOUND: ErrorDoc = { status: 404, codes: { RESERVATION_NOT_FOUND: "No such reservation, or another user's" } };
const ID = { id: 'Reservation id (UUID)' };
const UPDATE_KEY = {
  name: 'Idempotency-Key',
  description:
    'Makes a retry safe: a repeated request with the same key from the same user attaches to the first one and gets its answer, ' +
    'even after the reservation has moved on. Without a key, a retry after success answers 409.',
  schema: IdempotencyKey,
};
const ACCEPTED_LATE =
  'Taken for processing, outcome not known yet: the reservation\'s workflow accepted it but its result came too late, or Temporal failed ' +
  'while it was being sent, so it may still be carried out. ' +
  '`status` is the state before it; read the reservation, or retry with the same Idempotency-Key, for the outcome (`Retry-After`).';

export const reservationRoutes: RouteDoc[] = [
  {
    method: 'POST',
    path: '/api/v1/reservations',
    operationId: 'holdSeats',
    summary: 'Hold seats',
    description:
      'Holds the seats for HOLD_TTL_SECONDS, but never past the showtime\'s start (`expires_at`); confirm before then or the seats are released and the reservation becomes `expired`. ' +
      'Its workflow is `workflow_id` (`reservation-<id>`). ' +
      'Two forms: `seat_ids` holds these exact seats; `quantity` (with optional `seat_type` and `together`) holds the best available seats, ' +
      'chosen inside the hold under the same locks that decide conflicts: adjacent seats in one row that leave no single-seat gap, closest to the ' +
      'centre of the middle rows; then adjacent seats that leave one; then, only with `together: false`, scattered seats. The 201 lists the seats chosen. ' +
      'Purchase limits per user (configurable): seats per reservation, open holds per showtime, seats held or booked per showtime. ' +
      'A repeated request with the same Idempotency-Key returns the same reservation (header `Idempotent-Replayed: true`) and holds nothing twice.',
    tag: 'reservations',
    auth: 'bearer',
    headers: [{ name: 'Idempotency-Key', description: 'Makes a retry safe: the same key from the same user gives the same reservation', schema: IdempotencyKey }],
    body: {
      schema: named('CreateReservationRequest', CreateReservationBody),
      examples: {
        twoSeats: { summary: 'Two seats', value: { showtime_id: 42, seat_ids: [101, 102] } },
        bestAvailable: { summary: 'The best two seats together', value: { showtime_id: 42, quantity: 2 } },
        anyPremium: { summary: 'Four premium seats, scattered if need be', value: { showtime_id: 42, quantity: 4, seat_type: 'premium', together: false } },
      },
    },
    responses: [
      {
        status: 201,
        description: 'Held',
        schema: Reservation,
        headers: { Location: "The reservation's URL", 'Idempotent-Replayed': '`true` when this answers an earlier request with the same Idempotency-Key' },
      },
    ],
    errors: [
      { status: 404, codes: { SHOWTIME_NOT_FOUND: 'No such showtime', SEAT_NOT_FOUND: 'A seat does not exist (`seat_ids`)' } },
      {
        status: 409,
        codes: {
          SEAT_UNAVAILABLE: 'A seat is held or booked by someone else (`seat_ids` lists them); for `quantity`, the only seats left are being held by other buyers this instant: retry',
          SOLD_OUT: 'Best available: the showtime cannot seat the party (`quantity`) any more. It comes before `PURCHASE_LIMIT`: a party that cannot be seated is told so, whatever its limits',
          PURCHASE_LIMIT: 'A purchase limit would be exceeded: `limit` names it (`seats_per_reservation`, `open_holds_per_showtime`, `seats_per_showtime`), `max` is its value, `current` what the user has',
          IDEMPOTENT_REQUEST_IN_PROGRESS: 'A request with this Idempotency-Key is still running; retry shortly',
        },
      },
      {
        status: 422,
        codes: {
          VALIDATION_ERROR: 'Missing, duplicate or too many (over 10) seat ids; `quantity` not an integer from 1 to 10; both `seat_ids` and `quantity`; an unknown `seat_type`',
          SEAT_NOT_IN_AUDITORIUM: "A seat is not in the showtime's auditorium (`seat_ids`)",
          SEAT_INACTIVE: 'A seat is out of service (`seat_ids`)',
          SHOWTIME_STARTED: 'The showtime has started',
          IDEMPOTENCY_KEY_REUSED: 'This Idempotency-Key was used for a different request',
        },
      },
    ],
  },
  {
    method: 'GET',
    path: '/api/v1/reservations',
    operationId: 'listReservations',
    summary: 'List reservations',
    description: "Newest first. Users see their own; admin and staff see everyone's and may filter by `user_id`.",
    tag: 'reservations',
    auth: 'bearer',
    query: ListReservationsQuery,
    paramDescriptions: { status: 'Only this status', showtime_id: 'Only this showtime', user_id: 'Only this user (admin and staff; ignored for users)' },
    responses: [{ status: 200, description: 'A page of reservations', schema: pageOf('ReservationPage', ReservationResponse) }],
    errors: [{ status: 422, codes: { VALIDATION_ERROR: 'A parameter is invalid' } }],
  },
  {
    method: 'GET',
    path: '/api/v1/reservations/:id',
    operationId: 'getReservation',
    summary: 'One reservation, with its live status',
    tag: 'reservations',
    auth: 'bearer',
    params: ReservationParams,
    paramDescriptions: ID,
    responses: [{ status: 200, description: 'The reservation', schema: Reservation }],
    errors: [NOT_FOUND],
  },
  {
    method: 'POST',
    path: '/api/v1/reservations/:id/confirm',
    operationId: 'confirmReservation',
    summary: 'Pay for a held reservation',
    description:
      'Payment methods of the built-in `fake` provider: `pm_card_visa` succeeds at once, `pm_card_declined` is declined (402), ' +
      '`pm_card_async` answers 202 and a webhook confirms later, `pm_card_async_fail` likewise fails later. ' +
      'Once the workflow has taken the confirm, the answer is its result; a 503 means it was not taken and nothing was charged. ' +
      'After the showtime has started a confirm is refused with 409 `SHOWTIME_STARTED` and nothing is charged. ' +
      'A pending payment whose hold runs out: the provider is asked for its verdict first; one that succeeds after the hold expired takes ' +
      'the same seats again if all of them are still free (`confirmed`), otherwise it is refunded (`expired` with `refund_amount`).',
    tag: 'reservations',
    auth: 'bearer',
    headers: [UPDATE_KEY],
    params: ReservationParams,
    paramDescriptions: ID,
    body: {
      schema: named('ConfirmReservationRequest', ConfirmReservationBody),
      examples: { card: { summary: 'A card that succeeds', value: { payment_method: 'pm_card_visa' } }, async: { summary: 'A payment confirmed later by webhook', value: { payment_method: 'pm_card_async' } } },
    },
    responses: [
      { status: 200, description: 'Confirmed: `status` confirmed, with `confirmed_at` and `payment_id`', schema: Reservation },
      { status: 202, description: `The provider confirms later by webhook: \`status\` pending_payment. Or: ${ACCEPTED_LATE}`, schema: Reservation },
    ],
    errors: [
      { status: 402, codes: { PAYMENT_DECLINED: 'Declined; the hold stays and the confirm may be retried' } },
      NOT_FOUND,
      {
        status: 409,
        codes: {
          HOLD_EXPIRED: 'The hold expired; the seats were released',
          SHOWTIME_STARTED: 'The showtime has started; nothing was charged',
          INVALID_STATE: 'Not held (already confirmed, cancelled, ...)',
        },
      },
      { status: 422, codes: { VALIDATION_ERROR: 'payment_method is missing' } },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/reservations/:id/cancel',
    operationId: 'cancelReservation',
    summary: 'Cancel a reservation',
    description:
      'A hold is released with `refund_amount` "0.00"; a confirmed booking is refunded until CANCELLATION_CUTOFF_MINUTES before the show. ' +
      "The owner or an admin may cancel; staff see other users' reservations but may not cancel them (403). " +
      'Once the workflow has taken the cancel, the answer is its result; a 503 means it was not taken and nothing changed.',
    tag: 'reservations',
    auth: 'bearer',
    headers: [UPDATE_KEY],
    params: ReservationParams,
    paramDescriptions: ID,
    body: {
      schema: named('CancelReservationRequest', CancelReservationBody),
      required: false,
      examples: { reason: { summary: 'With a reason (optional)', value: { reason: 'plans changed' } }, empty: { summary: 'No body fields', value: {} } },
    },
    responses: [
      { status: 200, description: 'Cancelled, with `refund_amount`', schema: Reservation },
      { status: 202, description: ACCEPTED_LATE, schema: Reservation },
    ],
    errors: [
      { status: 403, codes: { FORBIDDEN: "Staff cannot cancel another user's reservation" } },
      NOT_FOUND,
      { status: 409, codes: { INVALID_STATE: 'Already cancelled, expired, or past the cancellation cutoff' } },
      { status: 422, codes: { VALIDATION_ERROR: 'reason is too long' } },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/reservations/:id/extend',
    operationId: 'extendHold',
    summary: 'Extend a hold',
    description:
      'Moves a held reservation\'s `expires_at` HOLD_TTL_SECONDS later, counted from its current expiry, at most HOLD_MAX_EXTENSIONS times ' +
      "and never past the showtime's start (the last extension may add less). The owner only. " +
      "The reservation's workflow moves its expiry timer and the stored expiry together: an extension that races the expiry either wins " +
      '(200, the hold lasts until the new `expires_at`) or loses (409 `HOLD_EXPIRED`, the seats were released), never both. No request body.',
    tag: 'reservations',
    auth: 'bearer',
    headers: [UPDATE_KEY],
    params: ReservationParams,
    paramDescriptions: ID,
    responses: [
      { status: 200, description: 'Extended: `status` held with the new `expires_at`', schema: Reservation },
      { status: 202, description: ACCEPTED_LATE, schema: Reservation },
    ],
    errors: [
      NOT_FOUND,
      {
        status: 409,
        codes: {
          HOLD_EXPIRED: 'The hold expired; the seats were released',
          INVALID_STATE: 'Not a hold: pending payment, confirmed, cancelled, ...',
          EXTENSION_LIMIT: "The hold was extended HOLD_MAX_EXTENSIONS times already (`detail` says the limit), or it already lasts until the showtime's start",
        },
      },
    ],
  },
];
