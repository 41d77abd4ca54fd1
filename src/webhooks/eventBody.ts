import type { Knex } from 'knex';
import type { WebhookEvent } from '../db/models';
import { seatsByReservation } from '../reservations/reservations';
import { serializeReservation, type ReservationRow } from '../reservations/serialize';

const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(String(v)));

/** The reservation row a trigger saved (to_jsonb: timestamps as strings), typed back as the table's row. */
function reservationRowOf(data: Record<string, unknown>): ReservationRow {
  return {
    ...(data as unknown as ReservationRow),
    hold_expires_at: date(data.hold_expires_at) ?? new Date(0),
    confirmed_at: date(data.confirmed_at),
    cancelled_at: date(data.cancelled_at),
    expired_at: date(data.expired_at),
    completed_at: date(data.completed_at),
    created_at: date(data.created_at) ?? new Date(0),
    updated_at: date(data.updated_at) ?? new Date(0),
  };
}

/** A check-in as the trigger saved it, with its time in the API's ISO form. */
function checkinOf(data: Record<string, unknown>): Record<string, unknown> {
  return { ...data, checked_in_at: date(data.checked_in_at)?.toISOString() ?? null };
}

/**
 * The body sent for an event, in Stripe's event style: `{id, object, type, created, data: {object}}`,
 * where `data.object` is the reservation as the API shows it at the moment of the change (or the
 * check-in). Rendered the same way on every attempt, from the row the trigger saved.
 */
export async function renderEventBody(knex: Knex, event: WebhookEvent): Promise<string> {
  let object: unknown;
  if (event.type === 'ticket.checked_in') {
    object = checkinOf(event.data);
  } else {
    const seats = (await seatsByReservation(knex, [event.reservation_id])).get(event.reservation_id) ?? [];
    object = { object: 'reservation', ...serializeReservation(reservationRowOf(event.data), seats) };
  }
  return JSON.stringify({
    id: event.id,
    object: 'event',
    type: event.type,
    created: Math.floor(new Date(event.created_at).getTime() / 1000),
    sequence: event.sequence,
    data: { object },
  });
}
