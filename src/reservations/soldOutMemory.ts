import type { Logger } from '../logger';
import { SeatEventListener } from '../seatEvents/listener';

/** Names the memory's LISTEN connection in pg_stat_activity (apart from the seat-map streams'). */
export const SOLD_OUT_LISTENER_APPLICATION_NAME = 'booking-sold-out';

/** More showtimes than this remembered at once: forget them all (a chain's day has far fewer on sale). */
const MAX_SHOWTIMES = 10_000;

/** The party a best-available request asks to seat, as far as the memory tells parties apart. */
export interface PartyShape {
  quantity: number;
  /** undefined: any type but wheelchair spaces, as the best-available read counts them. */
  seatType?: string;
  together: boolean;
}

/** Taken before a read; the read's verdict is remembered only if nothing of the showtime changed since. */
export interface ReadMark {
  showtimeId: number;
  generation: number;
  changes: number;
}

const shapeKey = (party: PartyShape): string => `${party.seatType ?? ''}|${party.together ? 't' : 'f'}`;

/**
 * Showtimes this process found unable to seat a party, remembered until Postgres says one of
 * their seats changed: after a premiere sells out, every buyer still arriving (and every retry)
 * is answered SOLD_OUT from memory, without a statement, instead of by the same count.
 *
 * The memory is only as fresh as its notifications, so it holds a verdict only while its own
 * LISTEN on the seat events is in place, and only from a read that began after LISTEN was and
 * saw no notification for its showtime before it ended. Every committed change of a showtime's
 * seats (a hold, a release, a seat back in service, a showtime edit) notifies at its commit
 * (migration 20261201000800), and the notification forgets the showtime: a release is
 * refused for at most the notification's delivery, as a read taken just before its commit would
 * refuse it. Only committed state counts, as for the read it stands for: seats other holds are
 * inserting right now do not make a showtime sold out.
 *
 * "Can't seat a party of n" holds for every larger party of the same shape, so one number per
 * showtime and shape is kept: the smallest party found unseatable.
 */
export class SoldOutMemory {
  /** showtime -> shape -> the smallest quantity found unseatable. */
  private readonly unseatable = new Map<number, Map<string, number>>();
  /** Showtimes reads have marked: notifications seen since `since`, and when the last came (Date.now()). */
  private readonly tracked = new Map<number, { since: number; changes: number; lastAt: number }>();
  /** Moves when everything is forgotten (the listener lost or back, the memory full). */
  private generation = 0;
  private readonly listener: SeatEventListener;
  /** Requests waiting for a showtime's next committed change (nextChange). */
  private readonly waiting = new Map<number, Set<() => void>>();

  constructor(
    databaseUrl: string,
    private readonly logger: Logger,
  ) {
    this.listener = new SeatEventListener(
      databaseUrl,
      logger,
      {
        onNotify: (showtimeId) => this.changed(showtimeId),
        onResync: () => this.forgetAll(),
        onLost: () => this.forgetAll(),
      },
      SOLD_OUT_LISTENER_APPLICATION_NAME,
    );
  }

  /** Whether the LISTEN is in place: only then does nextChange hear changes rather than wait out its time. */
  get listening(): boolean {
    return this.listener.listening;
  }

  /** True when the party is known not to fit the showtime's committed seats as they stand. */
  cannotSeat(showtimeId: number, party: PartyShape): boolean {
    if (!this.listener.listening) return false;
    const from = this.unseatable.get(showtimeId)?.get(shapeKey(party));
    return from !== undefined && party.quantity >= from;
  }

  /**
   * Before a read whose verdict may be remembered. Undefined while the listener is not in place
   * (the first call starts it: reads from then on count).
   */
  mark(showtimeId: number): ReadMark | undefined {
    if (!this.listener.listening) {
      this.listener.ensure().catch((err: unknown) => this.logger.debug({ err }, 'sold-out memory: cannot listen to seat events yet'));
      return undefined;
    }
    let seen = this.tracked.get(showtimeId);
    if (!seen) {
      if (this.tracked.size >= MAX_SHOWTIMES) this.forgetAll();
      this.tracked.set(showtimeId, (seen = { since: Date.now(), changes: 0, lastAt: -Infinity }));
    }
    return { showtimeId, generation: this.generation, changes: seen.changes };
  }

  /**
   * The read marked by `mark` found the party unseatable from committed seats. `basisReadAt`: when
   * the read of anything else the verdict rests on began, if that was before the mark (a cached
   * seat layout); such a verdict is kept only if no change of the showtime was notified since.
   */
  remember(mark: ReadMark | undefined, party: PartyShape, unseatableFrom = party.quantity, basisReadAt?: number): void {
    if (!mark || !this.listener.listening || mark.generation !== this.generation) return;
    const seen = this.tracked.get(mark.showtimeId);
    if (!seen || seen.changes !== mark.changes) return;
    if (basisReadAt !== undefined && !(seen.since < basisReadAt && seen.lastAt < basisReadAt)) return;
    let shapes = this.unseatable.get(mark.showtimeId);
    if (!shapes) this.unseatable.set(mark.showtimeId, (shapes = new Map()));
    const key = shapeKey(party);
    shapes.set(key, Math.min(shapes.get(key) ?? Infinity, Math.max(1, unseatableFrom)));
  }

  /**
   * Resolves at the showtime's next committed seat change (or when the listener is lost or back,
   * when changes may have gone unseen), or after `timeoutMs`, whichever comes first. Without the
   * listener in place it only waits out the time.
   */
  nextChange(showtimeId: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      if (!this.listener.listening) {
        setTimeout(resolve, timeoutMs);
        return;
      }
      let waiters = this.waiting.get(showtimeId);
      if (!waiters) this.waiting.set(showtimeId, (waiters = new Set()));
      const set = waiters;
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        if (set.size === 0 && this.waiting.get(showtimeId) === set) this.waiting.delete(showtimeId);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      set.add(done);
    });
  }

  /** Drops the listener (shutdown); nothing is remembered without it. */
  async close(): Promise<void> {
    this.forgetAll();
    await this.listener.stop();
  }

  private changed(showtimeId: number): void {
    const seen = this.tracked.get(showtimeId);
    if (seen) {
      seen.changes += 1;
      seen.lastAt = Date.now();
    }
    this.unseatable.delete(showtimeId);
    this.wake(showtimeId);
  }

  private wake(showtimeId: number): void {
    for (const done of [...(this.waiting.get(showtimeId) ?? [])]) done();
  }

  private forgetAll(): void {
    this.generation += 1;
    this.unseatable.clear();
    this.tracked.clear();
    for (const showtimeId of [...this.waiting.keys()]) this.wake(showtimeId);
  }
}
