/**
 * The seats this API process's holds are inserting right now, by showtime. In a stampede for the
 * same seats, a request for a seat another request of this process is already inserting is
 * answered at once, as the per-seat advisory lock would answer it inside a transaction, but
 * without one: no pooled connection, no round trips. Only a shortcut: the per-seat locks and the
 * unique index still decide between processes, and between this process's holds too.
 */
const claims = new Map<number, Set<number>>();

/** Every seat of the showtime a hold of this process is inserting right now (a live view: copy it to keep it). */
export function claimedAt(showtimeId: number): ReadonlySet<number> {
  return claims.get(showtimeId) ?? EMPTY;
}
const EMPTY: ReadonlySet<number> = new Set();

/** The seats among `seatIds` a hold of this process is inserting right now. */
export function claimedSeats(showtimeId: number, seatIds: readonly number[]): number[] {
  const held = claims.get(showtimeId);
  return held ? seatIds.filter((id) => held.has(id)).sort((a, b) => a - b) : [];
}

/**
 * Claims the seats for one hold: a release function, to call once its transaction has ended,
 * or the seats another hold of this process has claimed (then nothing is claimed).
 */
export function claimSeats(showtimeId: number, seatIds: readonly number[]): { release: () => void } | { contended: number[] } {
  const contended = claimedSeats(showtimeId, seatIds);
  if (contended.length) return { contended };
  let held = claims.get(showtimeId);
  if (!held) claims.set(showtimeId, (held = new Set()));
  for (const id of seatIds) held.add(id);
  let released = false;
  return {
    release: () => {
      if (released) return;
      released = true;
      for (const id of seatIds) held.delete(id);
      if (held.size === 0 && claims.get(showtimeId) === held) claims.delete(showtimeId);
    },
  };
}
