import type { Knex } from 'knex';
import type { Model, ModelClass } from 'objection';
import { LoginBackoff, RateLimit, RefreshToken } from '../src/db/models';

/** Rows deleted by one purge, per table. */
export interface PurgeResult {
  refresh_tokens: number;
  rate_limits: number;
  login_backoff: number;
}

/** Short statements keep row locks brief next to live logins; the loop finishes the job. */
const BATCH = 5000;

/** Deletes the rows a modifier picks (`stale`, `expired`), BATCH at a time, skipping rows a login has locked. */
async function deleteInBatches(model: ModelClass<Model>, knex: Knex, modifier: string): Promise<number> {
  let total = 0;
  for (;;) {
    const batch = model.query(knex).modify(modifier).select('ctid').limit(BATCH).forUpdate().skipLocked();
    // `ctid = ANY (ARRAY(...))` runs the batch's SELECT once; `IN (...)` may re-run it and delete past the LIMIT.
    const deleted = await model.query(knex).delete().whereRaw('ctid = ANY (ARRAY(?))', [batch]);
    total += deleted;
    if (deleted < BATCH) return total;
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
        refresh_tokens: await deleteInBatches(RefreshToken, knex, 'stale'),
        rate_limits: await deleteInBatches(RateLimit, knex, 'expired'),
        login_backoff: await deleteInBatches(LoginBackoff, knex, 'expired'),
      };
    },
  };
}
