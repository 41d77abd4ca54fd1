import type { Knex } from 'knex';
import { Reservation } from '../src/db/models';
import { HOLD_STATUSES } from '../workflows/statuses';

/** The hold extension's Postgres step: the row's expiry follows the workflow's durable timer. */
export function createHoldExtensionActivities(knex: Knex) {
  return {
    /**
     * Moves a live hold's `hold_expires_at`. The workflow decided the extension (it alone expires
     * holds), so the row is still a hold: `held`, or already `pending_payment` when a confirm the
     * workflow took next has written first. The filter only keeps a stray retry off a finished row.
     */
    async extendHold(reservationId: string, expiresAt: string): Promise<void> {
      await Reservation.query(knex).findById(reservationId).whereIn('status', HOLD_STATUSES).patch({ hold_expires_at: new Date(expiresAt) });
    },
  };
}
