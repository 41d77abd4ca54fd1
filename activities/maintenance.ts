import type { Knex } from 'knex';

/** Rows deleted by one purge, per table. */
export interface PurgeResult {
  refresh_tokens: number;
  rate_limits: number;
  login_backoff: number;
}

/** Short statements keep row locks brief next to live logins; the loop finishes the job. */
const BATCH = 5000;

async function deleteInBatches(knex: Knex, table: string, where: string): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await knex.raw<{ rowCount: number }>(
      `DELETE FROM ${table} WHERE ctid = ANY (ARRAY(SELECT ctid FROM ${table} WHERE ${where} LIMIT ${BATCH} FOR UPDATE SKIP LOCKED))`,
    );
    total += rowCount;
    if (rowCount < BATCH) return total;
  }
}

/** Housekeeping the purge schedule runs; idempotent, so a retry only deletes what is left. */
export function createMaintenanceActivities(knex: Knex) {
  return {
    /**
     * Deletes refresh tokens that can no longer be used (expired or revoked: both are refused
     * whether or not the row exists) and limiter rows whose window has passed.
     */
    async purgeStaleAuthRows(): Promise<PurgeResult> {
      return {
        refresh_tokens: await deleteInBatches(knex, 'refresh_tokens', 'expires_at < now() OR revoked_at IS NOT NULL'),
        rate_limits: await deleteInBatches(knex, 'rate_limits', 'expires_at < now()'),
        login_backoff: await deleteInBatches(knex, 'login_backoff', 'expires_at < now()'),
      };
    },
  };
}
