import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import { reservationWorkflow } from '../../workflows/reservation';
import { reservationWorkflowId, searchAttributes } from '../../workflows/shared';
import type { Config } from '../config';
import type { AuthUser } from '../http/auth';
import { ApiError, conflict, notFound, serviceUnavailable, unprocessable } from '../http/errors';
import { rawTransaction } from '../db/rawSql';
import { fromCents, toCents } from '../money';
import { claimBestAvailable, SeatsInFlight, seatsInFlightRefusal, waitedOut, type InFlightWait, type SeatsLook } from './claimBestAvailable';
import { isBestAvailable, seatCountOf, type HoldRequest } from './holdRequest';
import { idempotentReservationId } from './idempotency';
import { breachOf, limitsNeedUsage, purchaseLimitKey, type LimitSubject } from './purchaseLimits';
import { insertHoldRows, lockHold } from './holdStatements';
import { loadHoldShowtime, type HoldShowtime } from './holdShowtime';
import { readBestAvailable } from './readBestAvailable';
import { checkExactSeats, readExactSeats, type ExactSeatRow } from './readExactSeats';
import type { AuditoriumLayout, PricedLayoutSeat } from './seatLayout';
import { claimedSeats, claimSeats } from './seatClaims';
import { settleAmbiguousCommit } from './settleAmbiguousCommit';
import type { SoldOutMemory } from './soldOutMemory';
import { cancelRolledBackHold } from './cancelRolledBackHold';
import { holdFacts } from './holdFacts';
import { startMayHaveLanded } from './startMayHaveLanded';
import { loadReservationBody } from './reservations';
import { serializeReservation, type ReservationBody, type ReservationRow } from './serialize';
import { reservationSummary } from './summary';

/**
 * How long the hold waits for Temporal before answering 503. Should a start land after the
 * deadline anyway, its run is asked to cancel (cancelRolledBackHold), and it ends abandoned.
 */
const START_DEADLINE_MS = 5_000;

export type { HoldRequest } from './holdRequest';

export interface HoldDeps {
  knex: Knex;
  temporal: Client;
  config: Pick<Config, 'holdTtlSeconds' | 'cancellationCutoffMinutes' | 'temporal' | 'purchaseLimits'>;
  /** Sold-out showtimes refused from memory; without it every request reads. */
  soldOut?: SoldOutMemory;
}

export interface HoldResult {
  reservation: ReservationBody;
  /** True when an earlier request with the same Idempotency-Key already made this reservation. */
  replayed: boolean;
}

const seatsUnavailable = (seatIds: number[]): ApiError => conflict('SEAT_UNAVAILABLE', 'Some of the seats are no longer available', { seat_ids: seatIds });

/** Thrown inside the hold's transaction to roll it back when a twin request already made this reservation. */
class IdempotentTwinCommitted extends Error {}

const sameSeats = (a: number[], b: number[]) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

/** Whether an earlier reservation answers this request: the same seats, or as many as asked for. */
const answers = (existing: ReservationBody, req: HoldRequest) =>
  existing.showtime_id === req.showtime_id &&
  (isBestAvailable(req) ? existing.seats.length === req.quantity : sameSeats(existing.seats.map((s) => s.seat_id), req.seat_ids));

async function replay(knex: Knex, id: string, req: HoldRequest): Promise<HoldResult | null> {
  const existing = await loadReservationBody(knex, id);
  if (!existing) return null;
  if (!answers(existing, req)) {
    throw unprocessable('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for a different reservation request');
  }
  return { reservation: existing, replayed: true };
}

/**
 * The hold path of DESIGN.md: validate, then one transaction inserts the reservation and its
 * seats (the partial unique index decides conflicts, so a loser never reaches Temporal), starts
 * the reservation workflow, and commits. A failed start rolls everything back.
 */
export async function createHold(deps: HoldDeps, user: AuthUser, req: HoldRequest, idempotencyKey?: string): Promise<HoldResult> {
  if (!idempotencyKey) return insertHoldWaiting(deps, user, req, randomUUID());
  const id = idempotentReservationId(user.id, idempotencyKey);
  const earlier = await replay(deps.knex, id, req);
  if (earlier) return earlier;
  try {
    return await insertHoldWaiting(deps, user, req, id, idempotencyKey);
  } catch (err) {
    // A concurrent twin of this request may have taken the seats (or the room under the purchase
    // limits) for this very reservation.
    if (err instanceof ApiError && err.status === 409) {
      const twin = await replay(deps.knex, id, req);
      if (twin) return twin;
    }
    throw err;
  }
}

/**
 * A best-available hold whose transaction found only in-flight seats for the party has rolled
 * back, releasing its connection; it tries again once readBestAvailable, waiting outside any
 * transaction, sees a way to seat it (or answers SOLD_OUT, or SEAT_UNAVAILABLE past the wait).
 */
async function insertHoldWaiting(deps: HoldDeps, user: AuthUser, req: HoldRequest, id: string, idempotencyKey?: string): Promise<HoldResult> {
  const wait: InFlightWait = {};
  for (;;) {
    try {
      return await insertHold(deps, user, req, id, wait, idempotencyKey);
    } catch (err) {
      if (!(err instanceof SeatsInFlight)) throw err;
      if (waitedOut(wait)) throw seatsInFlightRefusal();
      // The seats it lost were locked a moment ago: give their holds a moment to settle.
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** The reads and checks that can refuse a hold without a transaction, then the transaction. */
async function insertHold(deps: HoldDeps, user: AuthUser, req: HoldRequest, id: string, wait: InFlightWait, idempotencyKey?: string): Promise<HoldResult> {
  const { knex, config } = deps;

  const limitSubject = { userId: user.id, showtimeId: req.showtime_id, seats: seatCountOf(req), reservationId: id };
  // A request with an Idempotency-Key may be the twin of the hold in flight: it waits for it
  // inside the transaction, to answer alike, rather than being refused.
  const refuseInFlight = !idempotencyKey;
  if (!isBestAvailable(req) && refuseInFlight) {
    const inFlight = claimedSeats(req.showtime_id, req.seat_ids);
    if (inFlight.length) throw seatsUnavailable(inFlight);
  }
  const [showtime, exactRead] = await Promise.all([
    loadHoldShowtime(knex, req.showtime_id),
    isBestAvailable(req) ? undefined : readExactSeats(knex, config.purchaseLimits, req, limitSubject, refuseInFlight),
  ]);
  if (!showtime) throw notFound('SHOWTIME_NOT_FOUND', `Showtime ${req.showtime_id} does not exist`);
  // Exact seats are checked and priced now; best-available seats are chosen inside the
  // transaction, from this layout, once the refusals that reads can decide are out of the way.
  const exact = exactRead && !isBestAvailable(req) ? checkExactSeats(showtime, exactRead, req) : undefined;
  if (showtime.starts_at.getTime() <= Date.now()) throw unprocessable('SHOWTIME_STARTED', 'This showtime has already started');
  const layout = isBestAvailable(req) ? await readBestAvailable(knex, config.purchaseLimits, req, limitSubject, showtime.auditorium_id, wait, deps.soldOut) : undefined;

  let claim: { release: () => void } | undefined;
  if (exact && refuseInFlight) {
    const claimed = claimSeats(showtime.id, exact.map((seat) => seat.id));
    if ('contended' in claimed) throw seatsUnavailable(claimed.contended);
    claim = claimed;
  }
  try {
    return await writeHold(deps, { user, req, id, idempotencyKey, showtime, exact, layout, limitSubject });
  } finally {
    claim?.release();
  }
}

interface CheckedHold {
  user: AuthUser;
  req: HoldRequest;
  id: string;
  idempotencyKey?: string;
  showtime: HoldShowtime;
  /** The exact seats, checked; undefined for best available. */
  exact?: ExactSeatRow[];
  /** Best available's layout; undefined for exact seats. */
  layout?: AuditoriumLayout & { look?: SeatsLook };
  limitSubject: LimitSubject;
}

/**
 * The hold's transaction: locks, inserts, the workflow start, the commit; and when the COMMIT
 * itself failed, what actually happened.
 */
async function writeHold(deps: HoldDeps, hold: CheckedHold): Promise<HoldResult> {
  const { knex, temporal, config } = deps;
  const { user, req, id, idempotencyKey, showtime, exact, layout, limitSubject } = hold;
  const baseCents = toCents(showtime.base_price);
  const priceOf = (seat: { price_modifier: string }) => fromCents(Math.max(0, baseCents + toCents(seat.price_modifier)));
  let priced: { seat: { id: number; row: string; number: number }; price: string }[] = (exact ?? []).map((seat) => ({ seat, price: priceOf(seat) }));
  let total = '0.00';
  const workflowId = reservationWorkflowId(id);
  // A hold ends at its show's start at the latest: nobody may pay for seats at a show already running.
  const holdExpiresAt = new Date(Math.min(Date.now() + config.holdTtlSeconds * 1000, showtime.starts_at.getTime()));

  // Errors thrown inside roll the transaction back; a failed COMMIT rejects this promise too.
  let committing = false;
  /** The started run, to settle a failed COMMIT with. */
  let runId: string | undefined;
  let row: ReservationRow;
  /** Best available's in-process claim on the seats it chose, held until the transaction has ended. */
  let bestClaim: { release: () => void } | undefined;
  try {
    row = await rawTransaction(knex, async (tx) => {
      const limits = config.purchaseLimits;
      // The workflow takes the reservation's lock too when it first needs the row, so it waits for this commit or rollback.
      const locks = await lockHold(tx, {
        reservationId: id,
        limitKey: limitsNeedUsage(limits) ? purchaseLimitKey(limitSubject) : null,
        showtimeId: showtime.id,
        seatIds: priced.map((p) => p.seat.id),
      });
      // Deleted since the read above: its FOR UPDATE made our row lock wait, which then read the row as it left it.
      if (!locks.showtimeOk) throw notFound('SHOWTIME_NOT_FOUND', `Showtime ${showtime.id} does not exist`);
      if (layout && isBestAvailable(req)) {
        const chosen = await claimBestAvailable(
          tx,
          showtime.id,
          layout.seats,
          { quantity: req.quantity, seatType: req.seat_type, together: req.together, focal: layout.focal },
          layout.look,
          (claim) => (bestClaim = claim),
        );
        priced = chosen.map((sid) => layout.byId.get(sid) as PricedLayoutSeat).map((seat) => ({ seat, price: priceOf(seat) }));
      } else {
        // A seat that another hold is inserting right now is unavailable: answer at once rather than
        // wait on that transaction, which is itself waiting on Temporal. The unique index stays the
        // arbiter; these locks only spare the losers (and the pool) the wait.
        if (locks.contended.length) throw seatsUnavailable(locks.contended);
        if (locks.activeSeats !== priced.length) throw unprocessable('SEAT_INACTIVE', 'Some of the seats went out of service');
      }
      const seatIds = priced.map((p) => p.seat.id);
      total = fromCents(priced.reduce((sum, p) => sum + toCents(p.price), 0));
      const inserted = await insertHoldRows(tx, {
        id,
        userId: user.id,
        showtimeId: showtime.id,
        totalPrice: total,
        holdExpiresAt,
        idempotencyKey: idempotencyKey ?? null,
        workflowId,
        seats: priced.map((p) => ({ seatId: p.seat.id, price: p.price })),
        usageOf: limitsNeedUsage(limits) ? limitSubject : null,
      });
      // A concurrent request with the same Idempotency-Key got here first and has committed.
      if (!inserted.reservation) throw new IdempotentTwinCommitted();
      const breach = breachOf(limits, limitSubject, inserted.usage ?? { open_holds: 0, seats: 0 });
      if (breach) throw breach;
      if (inserted.held.length < seatIds.length) {
        // Best available locked these seats before anyone could commit them, but a hold may have
        // committed one between its look and its locks: choose again, from a fresh look.
        if (isBestAvailable(req)) throw new SeatsInFlight();
        const lost = seatIds.filter((sid) => !inserted.held.includes(sid)).sort((a, b) => a - b);
        throw seatsUnavailable(lost);
      }
      try {
        const started = await temporal.connection.withDeadline(Date.now() + START_DEADLINE_MS, () => temporal.workflow.start(reservationWorkflow, {
          workflowId,
          taskQueue: config.temporal.taskQueue,
          // The row's facts, so the workflow's first task runs no activity: it is held from here,
          // and reads the row (under this transaction's lock) only when it first needs it.
          args: [{ reservationId: id, cancellationCutoffMinutes: config.cancellationCutoffMinutes, hold: holdFacts(holdExpiresAt, showtime, total) }],
          // A run already going under this id was started by an attempt whose transaction rolled
          // back (a crash before its commit): it owns nothing, and it may already have decided
          // "abandoned". Replace it rather than adopt it, so this hold always has a live owner.
          workflowIdConflictPolicy: 'TERMINATE_EXISTING',
          staticSummary: reservationSummary(priced.map((p) => `${p.seat.row}${p.seat.number}`), showtime.title, showtime.starts_at),
          memo: {
            user_id: user.id,
            movie_title: showtime.title,
            showtime_starts_at: showtime.starts_at.toISOString(),
            seats: priced.map((p) => `${p.seat.row}${p.seat.number}`).join(', '),
            total_price: total,
          },
          typedSearchAttributes: [
            { key: searchAttributes.ReservationStatus, value: 'held' },
            { key: searchAttributes.ShowtimeId, value: showtime.id },
            { key: searchAttributes.UserId, value: user.id },
            { key: searchAttributes.HoldExpiresAt, value: holdExpiresAt },
          ],
        }));
        runId = started.firstExecutionRunId;
      } catch (err) {
        // The start may have landed though its answer did not. Asked now, while this transaction
        // still holds the hold's lock, so the request cannot reach a retry's run under the same id.
        if (startMayHaveLanded(err)) await cancelRolledBackHold(temporal, id);
        throw Object.assign(serviceUnavailable('The booking service is unavailable; nothing was held. Retry shortly.'), { cause: err });
      }
      committing = true;
      return inserted.reservation;
    }).finally(() => bestClaim?.release());
  } catch (err) {
    if (err instanceof IdempotentTwinCommitted) {
      const earlier = await replay(knex, id, req);
      if (earlier) return earlier;
      throw conflict('IDEMPOTENT_REQUEST_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed');
    }
    if (!committing) throw err;
    // The COMMIT itself failed: the connection may have died before or after Postgres applied
    // it. Answer what actually happened, never a guess.
    const committed = await settleAmbiguousCommit({ knex, temporal }, id, runId);
    if (!committed) throw Object.assign(serviceUnavailable('The booking service is unavailable; nothing was held. Retry shortly.'), { cause: err });
    row = committed;
  }
  const seatViews = priced.map((p) => ({ seat_id: p.seat.id, label: `${p.seat.row}${p.seat.number}`, price: p.price }));
  return { reservation: serializeReservation(row, seatViews), replayed: false };
}
