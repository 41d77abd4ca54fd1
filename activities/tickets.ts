import type { Knex } from 'knex';
import type { TicketKeys } from '../src/tickets/keys';
import { issueTicketsFor, revokeTicketsOf } from '../src/tickets/issue';

/** Tickets of a booking, issued and revoked by its workflow so that a crash loses neither. */
export function createTicketActivities(knex: Knex, keys: TicketKeys) {
  return {
    /** One ticket per booked seat; idempotent. Returns the booking's ticket ids. */
    async issueTickets(reservationId: string): Promise<string[]> {
      return issueTicketsFor(knex, keys.privateKey, reservationId);
    },
    /** Revokes a cancelled booking's tickets; idempotent. Returns the revoked ticket ids. */
    async revokeTickets(reservationId: string): Promise<string[]> {
      return revokeTicketsOf(knex, reservationId);
    },
  };
}
