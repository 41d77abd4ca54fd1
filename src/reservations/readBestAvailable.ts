import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import { poolSql } from '../db/rawSql';
import type { Config } from '../config';
import { canSeat } from './bestAvailable';
import { lookAtSeats, seatsInFlightRefusal, soldOut, waitedOut, type InFlightWait, type SeatsLook } from './claimBestAvailable';
import type { BestAvailableHold } from './holdRequest';
import { breachOf, limitsNeedUsage, purchaseLimitBreach, usageColumns, type LimitSubject, type Usage } from './purchaseLimits';
import { seatLayout, type AuditoriumLayout } from './seatLayout';
import type { SoldOutMemory } from './soldOutMemory';

/**
 * Free seats of the wanted type (committed holds and bookings count, in-flight ones do not) and,
 * when a limit needs it, what the user already has for the showtime: one statement, since in a
 * rush every buyer asks it and each round trip to Postgres is most of a refusal's cost.
 */
async function freeSeatsAndUsage(knex: Knex, limits: Config['purchaseLimits'], req: BestAvailableHold, subject: LimitSubject): Promise<{ free: number; usage?: Usage }> {
  const typeFilter = req.seat_type ? 's.seat_type = ?' : "s.seat_type <> 'wheelchair'";
  const typeBinding = req.seat_type ? [req.seat_type] : [];
  const usage = limitsNeedUsage(limits) ? usageColumns(subject) : undefined;
  const { rows } = await poolSql(knex).query<{ free: string } & Usage>(
    `SELECT (SELECT count(*) FROM seats s JOIN showtimes st ON st.auditorium_id = s.auditorium_id
              WHERE st.id = ? AND s.is_active AND NOT s.is_deleted AND ${typeFilter})
          - (SELECT count(*) FROM reservation_seats rs JOIN seats s ON s.id = rs.seat_id
              WHERE rs.showtime_id = ? AND rs.is_active AND ${typeFilter}) AS free${usage ? `, ${usage.sql}` : ''}`,
    [req.showtime_id, ...typeBinding, req.showtime_id, ...typeBinding, ...(usage?.bindings ?? [])],
  );
  return { free: Number(rows[0].free), usage: usage ? rows[0] : undefined };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Between looks at in-flight seats: short at first (a hold commits in tens of ms), then less often. */
const backoffMs = (attempt: number) => Math.min(200, 20 * 2 ** attempt);
/**
 * With the sold-out memory's listener, a wait ends at the showtime's next committed change; this
 * bounds it for the in-flight holds that roll back, which notify nothing.
 */
const CHANGE_WAIT_MS = 200;

/** Looks at a showtime's seats now running, per pool and showtime, with when each began (performance.now()). */
const runningLooks = new WeakMap<Knex, Map<number, { startedAt: number; look: Promise<SeatsLook> }>>();

/**
 * A look begun at `notBefore` or later: the one another request of this process is taking right
 * now, if it began late enough, or a new one. In a rush the buyers waiting on a showtime wake at
 * the same change, and a look begun after a request wanted one is as fresh as its own would be
 * (the sold-out memory's marks hold for it too), so one statement serves them all.
 */
export function lookFrom(knex: Knex, showtimeId: number, notBefore: number): Promise<SeatsLook> {
  let looks = runningLooks.get(knex);
  if (!looks) runningLooks.set(knex, (looks = new Map()));
  const running = looks.get(showtimeId);
  if (running && running.startedAt >= notBefore) return running.look;
  const entry = { startedAt: performance.now(), look: lookAtSeats(poolSql(knex), showtimeId) };
  looks.set(showtimeId, entry);
  const done = () => {
    if (looks.get(showtimeId) === entry) looks.delete(showtimeId);
  };
  entry.look.then(done, done);
  return entry.look;
}

/**
 * The cheap refusal path of a best-available hold: from reads alone, without a transaction or
 * Temporal, refuse a party the purchase limits or the committed seats already rule out. A count
 * answers a sold-out showtime in one round trip; only when enough seats are free is the layout
 * looked at. When only seats other holds are inserting right now could seat the party, it waits
 * here, holding no connection between looks, until they commit or roll back (for 3 s from the
 * request's first wait: then 409 SEAT_UNAVAILABLE, retry). With the memory's listener a wait
 * ends at the showtime's next committed change (or after CHANGE_WAIT_MS, for a hold that rolled
 * back), and the requests of this process looking at the showtime then share one look (lookFrom).
 * What passes here is decided again inside the transaction.
 *
 * With a `memory`, a showtime this process already found unable to seat such a party is refused
 * SOLD_OUT before any statement, until a seat of it changes (SoldOutMemory). SOLD_OUT always
 * comes before PURCHASE_LIMIT, so the memory's refusal needs no limit check.
 */
export async function readBestAvailable(
  knex: Knex,
  limits: Config['purchaseLimits'],
  req: BestAvailableHold,
  subject: LimitSubject,
  auditoriumId: number,
  wait: InFlightWait,
  memory?: SoldOutMemory,
): Promise<AuditoriumLayout & { look: SeatsLook }> {
  const party = { quantity: req.quantity, seatType: req.seat_type, together: req.together };
  if (memory?.cannotSeat(req.showtime_id, party)) throw soldOut(req.quantity);
  const mark = memory?.mark(req.showtime_id);
  let lookWanted = performance.now();
  const { free, usage } = await freeSeatsAndUsage(knex, limits, req, subject);
  // Answered only once the party could be seated: SOLD_OUT comes first, whether this process's
  // memory or a read decides it, so every API process gives the same answer.
  const breach = usage ? breachOf(limits, subject, usage) : await purchaseLimitBreach(knex, limits, subject);
  if (free < req.quantity) {
    // Too few seats of the type, together or not.
    memory?.remember(mark, { ...party, together: false }, free + 1);
    memory?.remember(mark, { ...party, together: true }, free + 1);
    throw soldOut(req.quantity);
  }
  const layout = await seatLayout(knex, auditoriumId);
  for (let attempt = 0; ; attempt++) {
    const look = await lookFrom(knex, req.showtime_id, lookWanted);
    const { taken, inFlight } = look;
    if (!canSeat(layout.seats, taken, party)) {
      // The layout may come from the cache, read before the mark.
      memory?.remember(mark, party, party.quantity, layout.readAt);
      throw soldOut(req.quantity);
    }
    if (breach) throw breach;
    // The transaction chooses from this look first: its locks and its insert decide, a look only ranks.
    if (canSeat(layout.seats, { has: (id) => taken.has(id) || inFlight.has(id) }, party)) return { ...layout, look };
    if (waitedOut(wait)) throw seatsInFlightRefusal();
    await (memory?.listening ? memory.nextChange(req.showtime_id, CHANGE_WAIT_MS) : sleep(backoffMs(attempt)));
    lookWanted = performance.now();
  }
}
