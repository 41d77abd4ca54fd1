import type { Knex } from 'knex';
import { Reservation } from '../src/db/models';

/** The hold extension's Postgres step: the row's expiry follows the workflow's durable timer. */
export function createHoldExtensionActivities(knex: Knex) {
  return {
    /**
     * Moves a live hold's `hold_expires_at`. The workflow decided the extension (it alone expires
     * holds), so the row is still `held`; the status filter only keeps a stray retry harmless.
     */
    async extendHold(reservationId: string, expiresAt: string): Promise<void> {
      await Reservation.query(knex).findById(reservationId).where('status', 'held').patch({ hold_expires_at: new Date(expiresAt) });
    },
  };
}
