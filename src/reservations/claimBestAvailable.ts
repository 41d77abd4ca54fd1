import { conflict, type ApiError } from '../http/errors';
import type { Sql } from '../db/rawSql';
import { lockSeats } from './holdStatements';
import { claimedAt, claimSeats } from './seatClaims';
import { canSeat, rankCandidates, type BestAvailableRequest, type LayoutSeat, type TakenSeats } from './bestAvailable';

/** Candidates tried per look at the seats; after that the look is fresher than the ranking. */
const TRIES_PER_LOOK = 4;
const LOOKS = 3;

export const soldOut = (quantity: number): ApiError =>
  conflict('SOLD_OUT', `This showtime cannot seat a party of ${quantity} any more`, { quantity });

/**
 * Only seats other holds are inserting right now could seat the party. Inside the transaction
 * this ends it (releasing its connection): the hold waits outside, in readBestAvailable, and
 * tries again. Past the wait it is the answer: retry shortly.
 */
export class SeatsInFlight extends Error {}

/** How long a buyer waits for in-flight holds when only their seats could seat the party. */
const IN_FLIGHT_WAIT_MS = 3_000;

/** One request's wait for in-flight seats, over its attempts: it starts when the first wait does. */
export interface InFlightWait {
  until?: number;
}

/** Starts the wait if it has not started; true once it has lasted IN_FLIGHT_WAIT_MS. */
export function waitedOut(wait: InFlightWait): boolean {
  wait.until ??= Date.now() + IN_FLIGHT_WAIT_MS;
  return Date.now() >= wait.until;
}
export const seatsInFlightRefusal = (): ApiError =>
  conflict('SEAT_UNAVAILABLE', 'The remaining seats are being held by other buyers right now; retry shortly', { seat_ids: [] });

/**
 * Committed seats and the seats other holds have locked but not yet committed, in one round trip.
 * Raw SQL: pg_locks has no model.
 */
export interface SeatsLook {
  taken: Set<number>;
  inFlight: Set<number>;
}

export async function lookAtSeats(db: Sql, showtimeId: number): Promise<SeatsLook> {
  // The hold's per-seat locks are pg_try_advisory_xact_lock(showtime, seat): two int4 keys,
  // which pg_locks shows as classid and objid with objsubid 2.
  // Two arrays in one row, not a row per seat: a look late in a rush is hundreds of seats, and
  // each row is a protocol message for the API to parse (most of a best-available hold's CPU at
  // 100 buyers in flight, measured).
  const { rows } = await db.query<{ taken: string; in_flight: string }>(
    `SELECT array_to_string(ARRAY(SELECT seat_id FROM reservation_seats WHERE showtime_id = ? AND is_active), ',') AS taken,
            array_to_string(ARRAY(SELECT objid::int8 FROM pg_locks
              WHERE locktype = 'advisory' AND objsubid = 2 AND classid = ?::int8::oid AND pid <> pg_backend_pid()
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())), ',') AS in_flight`,
    [showtimeId, showtimeId],
  );
  const ids = (list: string) => (list ? list.split(',').map(Number) : []);
  return { taken: new Set(ids(rows[0].taken)), inFlight: new Set(ids(rows[0].in_flight)) };
}

/**
 * Inside the hold's transaction: chooses the best seats for the party and takes their per-seat
 * locks, the same locks the exact-seat form takes, so offering a seat and taking it are one
 * moment. Seats another hold is inserting right now count as taken; when only those could seat
 * the party it throws SeatsInFlight rather than wait here holding a connection. SOLD_OUT only
 * when the committed state cannot seat the party.
 *
 * The seats this process's other holds are claiming count as taken too, and a candidate is
 * claimed (seatClaims) before its locks are asked for: buyers of one process that ranked the same
 * seats from the same look spread over the next candidates without a round trip each, instead
 * of each trying the first ones in turn (in a rush of 100 buyers in flight, 15 lock statements
 * per hold were measured without this). The claim of the seats chosen is handed to `claimed`,
 * to be released once the transaction has ended; the claims of candidates not chosen are released here.
 */
export async function claimBestAvailable(
  tx: Sql,
  showtimeId: number,
  layout: readonly LayoutSeat[],
  req: BestAvailableRequest,
  /** A look taken just before the transaction: the first choice is made from it, one round trip spared. */
  firstLook: SeatsLook | undefined,
  /** Receives the claim on the seats chosen, before they are returned. */
  claimed: (claim: { release: () => void }) => void,
): Promise<number[]> {
  for (let look = 0; look < LOOKS; look++) {
    const { taken, inFlight } = look === 0 && firstLook ? firstLook : await lookAtSeats(tx, showtimeId);
    // A view over the sets rather than a copy of them: late in a rush the look is most of the house.
    const tried = new Set<number>();
    const claimedNow = claimedAt(showtimeId);
    const busy: TakenSeats = { has: (id) => taken.has(id) || inFlight.has(id) || tried.has(id) || claimedNow.has(id) };
    // One more than it tries: then it knows whether trying more would have been possible.
    const candidates = rankCandidates(layout, busy, req, TRIES_PER_LOOK + 1);
    for (const candidate of candidates.slice(0, TRIES_PER_LOOK)) {
      if (candidate.seatIds.some((id) => busy.has(id))) continue;
      const claim = claimSeats(showtimeId, candidate.seatIds);
      if ('contended' in claim) {
        // Claimed by another hold of this process since the ranking (while this one waited on a lock).
        claim.contended.forEach((id) => tried.add(id));
        continue;
      }
      const locked = await lockSeats(tx, showtimeId, candidate.seatIds).catch((err: unknown) => {
        claim.release();
        throw err;
      });
      const gone = locked.contended.length ? locked.contended : locked.committed;
      if (gone.length) {
        claim.release();
        gone.forEach((id) => tried.add(id));
        continue;
      }
      // Taken out of service since the layout was read: not a choice.
      if (locked.activeSeats < candidate.seatIds.length) {
        claim.release();
        candidate.seatIds.forEach((id) => tried.add(id));
        continue;
      }
      claimed(claim);
      return candidate.seatIds;
    }
    if (candidates.length === 0 && !canSeat(layout, taken, req)) throw soldOut(req.quantity);
    // Every candidate was tried and taken: only in-flight seats are left to wait for.
    if (candidates.length <= TRIES_PER_LOOK) break;
  }
  throw new SeatsInFlight();
}
