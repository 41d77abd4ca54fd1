/**
 * The reservation statuses, listed once: the Postgres enum `reservation_status` (initial
 * migration; test/reservationStatuses.test.ts holds the two together), the API's zod enums, the
 * seat map, the report and the workflow all take them from here. Imports nothing, so workflow
 * code and pure rules can share it.
 */
export const RESERVATION_STATUSES = ['held', 'pending_payment', 'confirmed', 'cancelled', 'expired', 'completed'] as const;

/** Statuses stored in Postgres and shown by the API. */
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

/** Seats taken, money not (yet) taken: the hold's statuses. */
export const HOLD_STATUSES = ['held', 'pending_payment'] as const satisfies readonly ReservationStatus[];

/** Seats paid for: booked on the seat map, sold in the report. */
export const SOLD_STATUSES = ['confirmed', 'completed'] as const satisfies readonly ReservationStatus[];

/** Reservations that own seats or money: while one exists its showtime cannot move or go away. */
export const BOOKING_STATUSES = [...HOLD_STATUSES, ...SOLD_STATUSES] as const;

/** Reservations whose workflow still takes a confirm or cancel. */
export const OPEN_STATUSES = [...HOLD_STATUSES, 'confirmed'] as const satisfies readonly ReservationStatus[];

export const isReservationStatus = (value: string): value is ReservationStatus => (RESERVATION_STATUSES as readonly string[]).includes(value);
