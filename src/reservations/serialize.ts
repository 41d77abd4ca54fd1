import type { ReservationRow } from '../db/models';

/** A reservation row as the API reads it; the type comes from the model. */
export type { ReservationRow };

export interface ReservationSeatView {
  seat_id: number;
  label: string;
  price: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The API's view of a reservation (API.md, "Reservations"). */
export function serializeReservation(r: ReservationRow, seats: ReservationSeatView[]) {
  return {
    id: r.id,
    user_id: r.user_id,
    showtime_id: r.showtime_id,
    status: r.status,
    expires_at: r.hold_expires_at.toISOString(),
    total_price: r.total_price,
    seats,
    workflow_id: r.workflow_id,
    payment_id: r.payment_id,
    payment_error: r.payment_error,
    confirmed_at: iso(r.confirmed_at),
    cancelled_at: iso(r.cancelled_at),
    expired_at: iso(r.expired_at),
    completed_at: iso(r.completed_at),
    cancel_reason: r.cancel_reason,
    refund_amount: r.refund_amount,
    created_at: r.created_at.toISOString(),
    updated_at: r.updated_at.toISOString(),
  };
}
export type ReservationBody = ReturnType<typeof serializeReservation>;
