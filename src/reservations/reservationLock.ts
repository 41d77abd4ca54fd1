import type { Knex } from 'knex';

/**
 * The advisory lock of one reservation, held until its transaction ends. The hold's transaction,
 * the workflow's check of its row (findReservation) and the API's settling of a failed COMMIT all take this one lock, so
 * whoever comes second waits for the first to commit or roll back: "not found" is then final.
 */
export async function lockReservation(trx: Knex.Transaction, reservationId: string): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [reservationId]);
}
