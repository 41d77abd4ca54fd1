import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import knexFactory, { type Knex } from 'knex';
import { knexConfig } from '../../knexfile';
import { orphanSingles, type LayoutSeat } from '../../src/reservations/bestAvailable';
import type { BenchContext } from '../context';
import { createBenchShowtime, type BenchUser } from '../fixtures';
import { httpClient } from '../http';
import { percentile, round } from '../measure';
import type { BenchResults } from '../resultsSchema';
import type { SoldSeat } from '../seatMapPicture';
import { formatStackCpu, stackCpu, stackCpuSince, treeCpuMs } from '../stack';
import { noopWorkflow } from '../workflows/noop';

type Premiere = NonNullable<BenchResults['premiere']>;

/** Runs `n` tasks with at most `inFlight` at once. */
async function limited(n: number, inFlight: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, inFlight) }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

const PARTY = 2;
const RETRIES = 3;

/**
 * A premiere going on sale: `seats` seats, `buyers` buyers arriving at once with at most
 * `inFlight` requests in flight, each asking for 2 best-available seats, stopping on SOLD_OUT
 * and retrying other 409s up to 3 times, against an API of `API_PROCESSES=2`. Holds never
 * expire during the run (TTL 600 s), so seats only get taken: a refusal answered before the
 * last successful hold's transaction began was given while that hold's seats were still free
 * (`refused_while_available`, a lower bound), and every refusal counts when a pair is still free at
 * the end. API CPU per refusal comes from a second burst of requests at the sold-out showtime;
 * per hold is the rush's CPU less its refusals', divided by the holds.
 */
export async function measurePremiere(
  ctx: BenchContext,
  apiBaseUrl: string,
  apiPid: number,
  users: BenchUser[],
): Promise<{ premiere: Premiere; seatMap: SoldSeat[] }> {
  const { knex } = ctx.stack;
  const { premiereSeats: seats, premiereInFlight: inFlight } = ctx.params;
  const buyers = Math.min(ctx.params.premiereBuyers, users.length);
  const st = await createBenchShowtime(knex, seats);
  const api = httpClient(apiBaseUrl);
  // Connections and the showtime's layout cache warm, as they would be a minute into the sale.
  await Promise.all(Array.from({ length: inFlight }, () => api.get('/healthz').catch(() => undefined)));

  type Outcome = { held: boolean; refusedAt: number; ms: number; requests: number; other: string | null };
  const outcomes: Outcome[] = [];
  const cpu0 = treeCpuMs(apiPid);
  const others0 = stackCpu(ctx.stack);
  const t0 = performance.now();
  let lastHeldAt = 0;
  await limited(buyers, inFlight, async (i) => {
    const started = performance.now();
    const out: Outcome = { held: false, refusedAt: 0, ms: 0, requests: 0, other: null };
    for (let attempt = 0; attempt <= RETRIES; attempt++) {
      out.requests++;
      const res = await api.post('/api/v1/reservations', { showtime_id: st.id, quantity: PARTY }, users[i].token).catch(() => ({ status: 0, body: null }));
      const code = (res.body as { code?: string } | null)?.code;
      if (res.status === 201) {
        out.held = true;
        lastHeldAt = Math.max(lastHeldAt, performance.now() - t0);
        break;
      }
      if (res.status === 409 && code === 'SOLD_OUT') break;
      if (res.status !== 409) {
        out.other = `${res.status} ${code ?? ''}`;
        break;
      }
    }
    out.ms = performance.now() - started;
    if (!out.held) out.refusedAt = performance.now() - t0;
    outcomes.push(out);
  });
  const rushCpu = treeCpuMs(apiPid) - cpu0;
  ctx.log(`premiere rush CPU ms: api ${Math.round(rushCpu)}, ${formatStackCpu(stackCpuSince(ctx.stack, others0))}, in ${Math.round(performance.now() - t0)} ms`);

  // Refusals alone, at the same concurrency: the showtime is sold out now.
  const refusalRequests = Math.min(buyers, 1000);
  const cpu1 = treeCpuMs(apiPid);
  await limited(refusalRequests, inFlight, async (i) => {
    await api.post('/api/v1/reservations', { showtime_id: st.id, quantity: PARTY }, users[i].token).catch(() => undefined);
  });
  const perRefusal = (treeCpuMs(apiPid) - cpu1) / refusalRequests;

  // Holds alone, at the same concurrency: a showtime with a pair for every buyer, so none is refused.
  const holdBurst = Math.min(buyers, 250);
  const roomy = await createBenchShowtime(knex, holdBurst * PARTY);
  let burstHolds = 0;
  const cpu2 = treeCpuMs(apiPid);
  await limited(holdBurst, inFlight, async (i) => {
    const res = await api.post('/api/v1/reservations', { showtime_id: roomy.id, quantity: PARTY }, users[i].token).catch(() => ({ status: 0 }));
    if (res.status === 201) burstHolds++;
  });
  const perHold = burstHolds ? (treeCpuMs(apiPid) - cpu2) / burstHolds : null;

  const layout: LayoutSeat[] = (
    await knex('seats').whereIn('id', st.seatIds).select('id', 'row', 'number', 'seat_type', 'is_active')
  ).map((s: LayoutSeat & { is_active: boolean }) => ({ ...s, usable: s.is_active }));
  const taken = new Set<number>(await knex('reservation_seats').where({ showtime_id: st.id, is_active: true }).pluck('seat_id'));
  const [{ double_bookings }] = (
    await knex.raw<{ rows: { double_bookings: number }[] }>(
      `SELECT count(*)::int AS double_bookings FROM (
         SELECT seat_id FROM reservation_seats WHERE is_active AND showtime_id = ? GROUP BY seat_id HAVING count(*) > 1) d`,
      [st.id],
    )
  ).rows;
  // The database clock and ours are the same machine's; performance.now() is relative to t0.
  const [{ last_start }] = (
    await knex.raw<{ rows: { last_start: Date | null }[] }>('SELECT max(created_at) AS last_start FROM reservations WHERE showtime_id = ?', [st.id])
  ).rows;
  const lastStartAt = last_start ? last_start.getTime() - (Date.now() - (performance.now() - t0)) : 0;
  const pairLeft = layout.length - taken.size >= PARTY && orphanSingles(layout, taken) < layout.length - taken.size;
  const refused = outcomes.filter((o) => !o.held);
  const refusedWhileAvailable = pairLeft ? refused.length : refused.filter((o) => o.refusedAt < lastStartAt).length;
  const holds = outcomes.filter((o) => o.held).length;
  const requests = outcomes.reduce((s, o) => s + o.requests, 0);
  const buyerMs = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  const others = outcomes.filter((o) => o.other);
  const result: Premiere = {
    seats,
    buyers,
    sold_seats: taken.size,
    double_bookings,
    orphan_singles: orphanSingles(layout, taken),
    refused_while_available: refusedWhileAvailable,
    time_to_sellout_s: round(lastHeldAt / 1000, 2),
    buyer_p50: round(percentile(buyerMs, 50), 1),
    buyer_p99: round(percentile(buyerMs, 99), 1),
    api_cpu_ms_per_hold: perHold === null ? null : round(perHold, 2),
    api_cpu_ms_per_refusal: round(perRefusal, 2),
    api_cpu_ms_per_request: requests ? round(rushCpu / requests, 2) : null,
    errors: others.length,
  };
  ctx.log(
    `premiere: ${holds} holds, ${refused.length} refused, ${requests} requests, ${others.length} other answers${others.length ? ` (${others[0].other})` : ''}; ${JSON.stringify(result)}`,
  );
  ctx.log(
    `premiere API CPU: the rush ${round(rushCpu, 0)} ms for ${requests} requests; holds alone ${burstHolds} of ${holdBurst} ok; ` +
      `the rush less its refusals at the sold-out rate, per hold (the earlier accounting): ${holds ? round(Math.max(0, rushCpu - (requests - holds) * perRefusal) / holds, 2) : '–'} ms`,
  );
  ctx.notes.push(
    `Premiere: ${seats} seats, ${buyers} buyers at once, at most ${inFlight} requests in flight, each wanting ${PARTY} best-available seats (SOLD_OUT stops a buyer, other 409s are retried up to ${RETRIES} times), ` +
      `against an API of 2 processes; ${requests} requests in all. API CPU per refusal from ${refusalRequests} further requests at the sold-out showtime; per hold from ${holdBurst} holds on a showtime with room for all (${burstHolds} answered 201; the CPU is divided by those); per request, the rush's API CPU divided by its requests.`,
  );
  return { premiere: result, seatMap: await soldSeatMap(knex, st.id) };
}

/** The showtime's seats after the rush, each with when its hold began (the order of sale). */
async function soldSeatMap(knex: BenchContext['stack']['knex'], showtimeId: number): Promise<SoldSeat[]> {
  const rows: { row: string; number: number; usable: boolean; held_at: Date | null }[] = await knex('seats as s')
    .join('showtimes as st', 'st.auditorium_id', 's.auditorium_id')
    .leftJoin('reservation_seats as rs', (j) => j.on('rs.seat_id', 's.id').andOn('rs.showtime_id', 'st.id').andOn(knex.raw('rs.is_active')))
    .leftJoin('reservations as r', 'r.id', 'rs.reservation_id')
    .where('st.id', showtimeId)
    .select('s.row', 's.number', knex.raw('s.is_active AND NOT s.is_deleted AS usable'), 'r.created_at as held_at');
  return rows.map((r) => ({ row: r.row, number: r.number, usable: r.usable, heldAt: r.held_at ? r.held_at.getTime() : null }));
}

/**
 * The floor of the premiere: as many holds as it sold, as bare Postgres transactions (reservation
 * and seat rows, pre-chosen seats) each followed by a plain workflow start, at the same
 * concurrency, without HTTP or auth. Its rows stay (they are held seats of a bench showtime).
 */
export async function measurePremiereFloor(ctx: BenchContext, holds: number, users: BenchUser[]): Promise<{ time_to_sellout_s: number }> {
  const { client, taskQueue } = ctx.stack;
  const st = await createBenchShowtime(ctx.stack.knex, holds * PARTY);
  // As many connections as the 2 API processes' pools, and no acquire deadline: the floor
  // measures the inserts and starts, never a pool refusing under the bench's own load.
  const knex = knexFactory({ ...knexConfig(ctx.stack.databaseUrl), pool: { min: 0, max: 40, acquireTimeoutMillis: 120_000 } });
  try {
    return await floorRun(ctx, knex, client, taskQueue, st, holds, users);
  } finally {
    await knex.destroy();
  }
}

async function floorRun(
  ctx: BenchContext,
  knex: Knex,
  client: BenchContext['stack']['client'],
  taskQueue: string,
  st: { id: number; seatIds: number[] },
  holds: number,
  users: BenchUser[],
): Promise<{ time_to_sellout_s: number }> {
  const cpu0 = stackCpu(ctx.stack);
  const t0 = performance.now();
  await limited(holds, ctx.params.premiereInFlight, async (i) => {
    const id = randomUUID();
    const seatIds = st.seatIds.slice(i * PARTY, i * PARTY + PARTY);
    await knex.transaction(async (trx) => {
      await trx('reservations').insert({
        id,
        user_id: users[i % users.length].id,
        showtime_id: st.id,
        status: 'held',
        total_price: '20.00',
        hold_expires_at: new Date(Date.now() + 600_000),
        workflow_id: `bench-floor-${id}`,
      });
      await trx('reservation_seats').insert(seatIds.map((seat_id) => ({ reservation_id: id, showtime_id: st.id, seat_id, price_at_booking: '10.00' })));
      await client.workflow.start(noopWorkflow, { workflowId: `bench-floor-${id}`, taskQueue, args: [ctx.params.noopWaitMs] });
    });
  });
  const seconds = round((performance.now() - t0) / 1000, 2);
  ctx.log(`premiere floor: ${holds} bare holds + workflow starts at ${ctx.params.premiereInFlight} in flight in ${seconds} s; CPU ms: ${formatStackCpu(stackCpuSince(ctx.stack, cpu0))}`);
  return { time_to_sellout_s: seconds };
}
