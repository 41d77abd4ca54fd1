import { setTimeout as sleep } from 'node:timers/promises';
import { httpClient } from '../http';
import type { BenchContext } from '../context';
import type { BenchUser, SeatPool } from '../fixtures';
import { forEachLimited, percentile, round, waitFor } from '../measure';
import type { BenchResults } from '../resultsSchema';
import { postHold } from './hold';

type ExpiryLag = NonNullable<BenchResults['expiry_lag']>;

/**
 * Expiry precision: a second API process with a short HOLD_TTL_SECONDS makes holds; the
 * workflows' durable timers release them. The lag is how long after the hold's expires_at its
 * seats were free: reservations.expired_at (stamped in the release transaction, which also
 * sets reservation_seats.is_active = false) minus hold_expires_at.
 */
export async function measureExpiryLag(ctx: BenchContext, opts: { pool: SeatPool; users: BenchUser[] }): Promise<ExpiryLag | null> {
  const ttl = ctx.params.expiryTtlSeconds;
  const shortApi = await ctx.stack.startApi(ttl);
  try {
    const api = httpClient(shortApi.baseUrl);
    const ids: string[] = [];
    // One at a time, ~50 ms apart: about 20 holds expire per second, as a busy showtime's would,
    // rather than all in the same instant.
    await forEachLimited(
      Array.from({ length: ctx.params.expiryHolds }, (_, i) => i),
      1,
      Date.now() + 30_000,
      async (i) => {
        const seats = opts.pool.take(1);
        if (!seats) return;
        const body = await postHold(api, opts.users[i % opts.users.length], seats);
        ids.push(body.id);
        await sleep(50);
      },
    );
    if (ids.length === 0) return null;

    await waitFor(
      'the short holds to expire',
      async () => {
        const [{ open }] = (
          await ctx.stack.knex.raw<{ rows: { open: number }[] }>(
            `SELECT count(*)::int AS open FROM reservation_seats WHERE reservation_id = ANY(?::uuid[]) AND is_active`,
            [ids],
          )
        ).rows;
        return open === 0 ? true : undefined;
      },
      { timeoutMs: (ttl + 30) * 1000, intervalMs: 100 },
    ).catch((err: unknown) => ctx.log(`expiry: ${err instanceof Error ? err.message : String(err)}`));

    const { rows } = await ctx.stack.knex.raw<{ rows: { lag_ms: number | null; status: string }[] }>(
      `SELECT status, (EXTRACT(EPOCH FROM (expired_at - hold_expires_at)) * 1000)::float8 AS lag_ms
         FROM reservations WHERE id = ANY(?::uuid[])`,
      [ids],
    );
    const lags = rows.filter((r) => r.status === 'expired' && r.lag_ms !== null).map((r) => Math.max(0, r.lag_ms as number)).sort((a, b) => a - b);
    const notExpired = rows.length - lags.length;
    ctx.notes.push(`Expiry lag: ${rows.length} holds made one at a time about 50 ms apart against an API with HOLD_TTL_SECONDS=${ttl}; lag = reservations.expired_at (stamped by the release that frees the seats) - hold_expires_at.`);
    if (notExpired > 0) ctx.notes.push(`Expiry: ${notExpired} of ${rows.length} short holds had not expired when the wait ended.`);
    ctx.log(`expiry lag: p50 ${round(percentile(lags, 50))} ms, max ${round(lags[lags.length - 1] ?? NaN)} ms over ${lags.length} holds (TTL ${ttl} s)`);
    if (lags.length === 0) return null;
    return { p50: round(percentile(lags, 50), 1), max: round(lags[lags.length - 1], 1), n: lags.length, ttl_seconds: ttl };
  } finally {
    await shortApi.proc.stop();
  }
}
