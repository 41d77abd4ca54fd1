import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { Reservation, RESERVATION_COLUMNS, type ReservationRow } from '../db/models';
import { cancelRolledBackHold } from './cancelRolledBackHold';
import { lockReservation } from './reservationLock';

/** How long the hold keeps asking Postgres whether its failed COMMIT took effect. */
const SETTLE_DEADLINE_MS = 10_000;
const SETTLE_RETRY_MS = 250;

/**
 * A hold whose COMMIT failed on the wire (the connection died with it in flight) may or may not
 * have committed. Taking the hold's advisory lock waits until Postgres has finished that
 * transaction either way, so the row's presence is then the truth: the row when it committed,
 * null when it did not. The workflow decides the same way, under the same lock.
 *
 * When the row is missing, the workflow's run (`runId`, the start's) is asked to cancel: held
 * from its input, it would otherwise stay live until the hold's deadline; asked, it reads the
 * row now and ends `abandoned`. Should Postgres stay unreachable past the deadline, it is asked
 * the same: it releases whatever may have been held, so the caller's 503 ("nothing was held")
 * stays true.
 */
export async function settleAmbiguousCommit(deps: { knex: Knex; temporal: Client }, reservationId: string, runId?: string): Promise<ReservationRow | null> {
  const deadline = Date.now() + SETTLE_DEADLINE_MS;
  for (;;) {
    try {
      const row: ReservationRow | undefined = await Reservation.transaction(deps.knex, async (trx) => {
        // A half-open connection can keep the old transaction (and its lock) alive for a while: keep asking, bounded.
        await trx.raw(`SET LOCAL lock_timeout = '2s'`);
        await lockReservation(trx, reservationId);
        return Reservation.query(trx).findById(reservationId).select(RESERVATION_COLUMNS);
      });
      if (row) return row;
      break;
    } catch {
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, SETTLE_RETRY_MS));
    }
  }
  await cancelRolledBackHold(deps.temporal, reservationId, runId);
  return null;
}
