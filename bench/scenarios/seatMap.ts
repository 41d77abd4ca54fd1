import type { BenchContext } from '../context';
import { createBenchShowtime, sellSeats, type BenchUser } from '../fixtures';
import { closedLoop } from '../measure';
import type { BenchResults } from '../resultsSchema';

type SeatMap = BenchResults['seat_map'];
type Entry = NonNullable<SeatMap['s100_sold0']>;

/**
 * What GET /showtimes/:id/seats has to read, in one query: every seat of the showtime's
 * auditorium with whether an active reservation holds it. Used while the route does not exist.
 */
export const SEAT_MAP_SQL = `
  SELECT s.id, s.row, s.number, s.seat_type, s.price_modifier, s.is_active, (rs.id IS NOT NULL) AS taken
    FROM showtimes sh
    JOIN seats s ON s.auditorium_id = sh.auditorium_id AND NOT s.is_deleted
    LEFT JOIN reservation_seats rs ON rs.showtime_id = sh.id AND rs.seat_id = s.id AND rs.is_active
   WHERE sh.id = ? AND NOT sh.is_deleted
   ORDER BY s.row, s.number`;

/**
 * Seat-map latency at 1 client for 100, 600 and 2,000 seats, 0% and 90% sold. Over HTTP when
 * the route answers 200 for a real showtime, else the equivalent SQL (and the report says so).
 */
export async function measureSeatMap(ctx: BenchContext, user: BenchUser): Promise<SeatMap> {
  const { knex } = ctx.stack;
  const sizes = [100, 600, 2000] as const;
  const showtimes = new Map<string, number>();
  for (const size of sizes) {
    for (const sold of [0, 90] as const) {
      const st = await createBenchShowtime(knex, size);
      if (sold) await sellSeats(knex, st.id, st.seatIds.filter((_, i) => i % 10 !== 9), user.id);
      showtimes.set(`s${size}_sold${sold}`, st.id);
    }
  }

  const probeId = showtimes.get('s100_sold0') as number;
  const probe = await ctx.api.get(`/api/v1/showtimes/${probeId}/seats`, user.token).catch((err: unknown) => ({ status: 0, body: String(err) }));
  const via: Entry['via'] = probe.status === 200 ? 'http' : 'sql';
  if (via === 'sql') {
    ctx.notes.push(
      `Seat map: GET /api/v1/showtimes/:id/seats answered ${probe.status} (not there yet), so the seat map was measured as the equivalent single SQL query ` +
        '(seats of the auditorium LEFT JOIN active reservation_seats) from the benchmark process; the run switches to HTTP by itself once the route answers 200.',
    );
  }
  ctx.log(`seat map via ${via}${via === 'sql' ? ` (the route answered ${probe.status})` : ''}`);

  const out: Record<string, Entry | null> = {};
  for (const [key, id] of showtimes) {
    const result = await closedLoop({
      concurrency: 1,
      maxOps: ctx.params.seatMapRequests,
      maxMs: ctx.params.levelMs,
      warmupOps: 5,
      op: async () => {
        if (via === 'http') {
          const res = await ctx.api.get(`/api/v1/showtimes/${id}/seats`, user.token);
          if (res.status !== 200) throw new Error(`GET seats: HTTP ${res.status}`);
        } else {
          await knex.raw(SEAT_MAP_SQL, [id]);
        }
      },
    });
    out[key] = result.stats.n > 0 ? { p50: result.stats.p50, p99: result.stats.p99, via, n: result.stats.n } : null;
    ctx.log(`seat map ${key}: p50 ${result.stats.p50} p99 ${result.stats.p99} ms`);
  }
  return out as SeatMap;
}
