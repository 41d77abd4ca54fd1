import { randomUUID } from 'node:crypto';
import { asLatency, type BenchContext } from '../context';
import type { BenchUser, SeatPool } from '../fixtures';
import { closedLoop } from '../measure';
import type { Latency } from '../resultsSchema';

/**
 * The Postgres floor: the hold's own transaction, statement for statement as in
 * src/reservations/createHold.ts (advisory lock on the reservation id, insert the reservation,
 * try-lock its seats, insert them ON CONFLICT DO NOTHING, re-check the showtime and seats, commit), through a
 * knex pool like the API's, with no HTTP and no Temporal. Its rows are deleted afterwards: no
 * workflow owns them. Keep it in step with createHold when that transaction changes.
 */
export async function measurePostgresHold(ctx: BenchContext, opts: { clients: number; pool: SeatPool; users: BenchUser[] }): Promise<Latency | null> {
  const { knex } = ctx.stack;
  const ids: string[] = [];
  const result = await closedLoop({
    concurrency: opts.clients,
    maxOps: ctx.params.maxOps(opts.clients),
    maxMs: ctx.params.levelMs,
    warmupOps: ctx.params.warmupOps(opts.clients),
    op: async (_i, client) => {
      const seats = opts.pool.take(ctx.params.seatsPerHold);
      if (!seats) throw new Error('the seat pool is used up');
      const id = randomUUID();
      ids.push(id);
      const trx = await knex.transaction();
      try {
        await trx.raw('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [id]);
        const inserted = await trx('reservations')
          .insert({
            id,
            user_id: opts.users[client % opts.users.length].id,
            showtime_id: seats.showtime_id,
            status: 'held',
            total_price: '20.00',
            hold_expires_at: new Date(Date.now() + 600_000),
            idempotency_key: null,
            workflow_id: `reservation-${id}`,
          })
          .onConflict('id')
          .ignore()
          .returning('*');
        if (inserted.length !== 1) throw new Error('reservation insert conflicted');
        const contended = await trx.raw<{ rows: unknown[] }>(
          'SELECT seat_id FROM unnest(?::int[]) AS seat_id WHERE NOT pg_try_advisory_xact_lock(?, seat_id)',
          [seats.seat_ids, seats.showtime_id],
        );
        if (contended.rows.length) throw new Error('seat lock contended');
        const held: { seat_id: number }[] = await trx('reservation_seats')
          .insert(seats.seat_ids.map((seat_id) => ({ reservation_id: id, showtime_id: seats.showtime_id, seat_id, price_at_booking: '10.00' })))
          .onConflict()
          .ignore()
          .returning('seat_id');
        if (held.length !== seats.seat_ids.length) throw new Error('seat insert conflicted');
        const [check] = (
          await trx.raw<{ rows: { showtime_ok: boolean | null; active_seats: number }[] }>(
            `SELECT (SELECT NOT is_deleted FROM showtimes WHERE id = ?) AS showtime_ok,
                    (SELECT count(*) FROM seats WHERE id = ANY(?) AND is_active AND NOT is_deleted) AS active_seats`,
            [seats.showtime_id, seats.seat_ids],
          )
        ).rows;
        if (!check.showtime_ok || Number(check.active_seats) !== seats.seat_ids.length) throw new Error('re-check failed');
        await trx.commit();
      } catch (err) {
        if (!trx.isCompleted()) await trx.rollback().catch(() => undefined);
        throw err;
      }
    },
  });
  // Leave no held rows without a workflow behind (they would count as open holds).
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    await knex('reservation_seats').whereIn('reservation_id', chunk).delete();
    await knex('reservations').whereIn('id', chunk).delete();
  }
  if (result.errors > 0) ctx.log(`postgres hold c${opts.clients}: ${result.errors} errors, e.g. ${result.errorSamples.join(' | ')}`);
  ctx.log(`postgres hold c${opts.clients}: p50 ${result.stats.p50} p99 ${result.stats.p99} ms, ${result.stats.per_s}/s`);
  return asLatency(result.stats);
}
