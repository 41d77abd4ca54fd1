import type { Writable } from 'node:stream';
import type { Knex } from 'knex';
import { loadVersionedSeatMap, type SeatStatus, type VersionedSeatMap } from '../catalog/showtimes/seatMap';
import type { Logger } from '../logger';
import { loadSeatEventsSince, resumeFrom, type SeatEvent } from './changes';
import { SeatEventListener } from './listener';
import { sseFrame, SseStream, type CloseReason } from './sseStream';

/** setTimeout's ceiling; a later showtime start is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const RECOVERY_DELAY_MS = 1_000;

export interface SeatEventHubOptions {
  knex: Knex;
  databaseUrl: string;
  logger: Logger;
  heartbeatMs: number;
  /** 0: no cap. */
  maxStreamsPerAddress: number;
  maxBufferedBytes?: number;
}

export interface AttachRequest {
  showtimeId: number;
  startsAt: Date;
  lastEventId: number | undefined;
  out: Writable;
  /** From reserve(): given back when the stream closes. */
  release: () => void;
}

/** A snapshot framed once, however many streams it goes to (cached with the snapshot). */
const snapshotFrames = new WeakMap<VersionedSeatMap, string>();
function snapshotFrame(snapshot: VersionedSeatMap): string {
  let frame = snapshotFrames.get(snapshot);
  if (frame === undefined) {
    frame = sseFrame('snapshot', snapshot.version, { version: snapshot.version, ...snapshot.map });
    snapshotFrames.set(snapshot, frame);
  }
  return frame;
}

/** The open streams of one showtime in this process, and the last version fanned out to them. */
class Channel {
  readonly streams = new Set<SseStream>();
  /** Highest version sent to the streams; null until a first stream is ready. */
  version: number | null = null;
  /** The latest snapshot with every change since applied, so a rush of joins reads the map once. */
  cache: VersionedSeatMap | undefined;
  private queue: Promise<void> = Promise.resolve();

  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly recover: () => Promise<void>,
  ) {}

  /**
   * One step at a time per showtime, so every stream sees versions in order. A failed step (the
   * database away) may have lost a change: a snapshot follows once the database answers again.
   */
  run(step: () => Promise<void>): void {
    this.queue = this.queue.then(step).catch((err: unknown) => {
      this.logger.error({ err }, 'seat events: step failed; re-snapshotting shortly');
      this.scheduleRecovery();
    });
  }

  private scheduleRecovery(): void {
    if (this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (this.streams.size > 0) this.run(this.recover);
    }, RECOVERY_DELAY_MS);
  }

  stop(): void {
    clearTimeout(this.retry);
  }
}

/**
 * Fans the database's seat changes out to this process's open streams. Each stream starts with
 * a snapshot (or the exact changes it missed, on resume) and then gets every later version once,
 * in order; the listener's loss sends every stream a fresh snapshot.
 */
export class SeatEventHub {
  private readonly channels = new Map<number, Channel>();
  private readonly perAddress = new Map<string, number>();
  private reserved = 0;
  private readonly listener: SeatEventListener;
  private closing = false;

  constructor(private readonly opts: SeatEventHubOptions) {
    this.listener = new SeatEventListener(opts.databaseUrl, opts.logger, {
      onNotify: (showtimeId, version) => this.onNotify(showtimeId, version),
      onResync: () => this.resyncAll(),
    });
  }

  /** Open streams in this process. */
  get size(): number {
    return this.reserved;
  }

  /** Counts a stream against its address; null when the address is at its cap (or shutting down). */
  reserve(address: string): (() => void) | null {
    const open = this.perAddress.get(address) ?? 0;
    if (this.closing || (this.opts.maxStreamsPerAddress > 0 && open >= this.opts.maxStreamsPerAddress)) return null;
    this.perAddress.set(address, open + 1);
    this.reserved += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left > 0) this.perAddress.set(address, left);
      else this.perAddress.delete(address);
      this.reserved -= 1;
      if (this.reserved === 0) void this.listener.stop();
    };
  }

  /** LISTEN is in place: a snapshot read after this misses no later change. Rejects when Postgres is down. */
  listening(): Promise<void> {
    return this.listener.ensure();
  }

  /** Starts a stream on `out` (its headers already sent). */
  attach(req: AttachRequest): void {
    const ch = this.channels.get(req.showtimeId) ?? this.openChannel(req.showtimeId);
    let endTimer: NodeJS.Timeout | undefined;
    const stream = new SseStream(req.out, {
      heartbeatMs: this.opts.heartbeatMs,
      maxBufferedBytes: this.opts.maxBufferedBytes,
      onClose: (reason: CloseReason) => {
        clearTimeout(endTimer);
        ch.streams.delete(stream);
        if (ch.streams.size === 0 && this.channels.get(req.showtimeId) === ch) {
          ch.stop();
          this.channels.delete(req.showtimeId);
        }
        if (reason === 'slow') this.opts.logger.info({ showtimeId: req.showtimeId }, 'seat events: dropped a client that was not keeping up');
        req.release();
      },
    });
    ch.streams.add(stream);
    const armEnd = () => {
      const wait = req.startsAt.getTime() - Date.now();
      if (wait <= 0) {
        stream.event('end', undefined, { reason: 'showtime_started' });
        stream.close('ended');
        return;
      }
      endTimer = setTimeout(armEnd, Math.min(wait, MAX_TIMER_MS));
    };
    armEnd();
    ch.run(() => this.start(req.showtimeId, ch, stream, req.lastEventId));
  }

  private openChannel(showtimeId: number): Channel {
    const ch: Channel = new Channel(this.opts.logger, () => this.resync(showtimeId, ch));
    this.channels.set(showtimeId, ch);
    return ch;
  }

  /** Ends every stream (clients reconnect to another process) and drops the listener. */
  async close(): Promise<void> {
    this.closing = true;
    for (const ch of [...this.channels.values()]) for (const s of [...ch.streams]) s.close('shutdown');
    await this.listener.stop();
  }

  private async start(showtimeId: number, ch: Channel, stream: SseStream, lastEventId: number | undefined): Promise<void> {
    // Closed meanwhile, or already given a snapshot by a recovery.
    if (stream.closed || stream.ready) return;
    if (lastEventId !== undefined) {
      const resume = await resumeFrom(this.opts.knex, showtimeId, lastEventId);
      if (resume.kind === 'replay') {
        for (const e of resume.events) stream.event('seats', e.version, e);
        stream.version = resume.version;
        stream.ready = true;
        ch.version ??= resume.version;
        return;
      }
    }
    const snapshot = ch.cache && ch.cache.version === ch.version ? ch.cache : await this.loadSnapshot(showtimeId, ch);
    if (!snapshot) return;
    this.sendSnapshot(stream, snapshot);
    ch.version ??= snapshot.version;
  }

  private async loadSnapshot(showtimeId: number, ch: Channel): Promise<VersionedSeatMap | null> {
    const snapshot = await loadVersionedSeatMap(this.opts.knex, showtimeId);
    if (!snapshot) {
      // Deleted meanwhile: nothing more will come.
      for (const s of [...ch.streams]) {
        s.event('end', undefined, { reason: 'showtime_deleted' });
        s.close('ended');
      }
      return null;
    }
    ch.cache = snapshot;
    return snapshot;
  }

  private sendSnapshot(stream: SseStream, snapshot: VersionedSeatMap, frame = snapshotFrame(snapshot)): void {
    stream.send(frame);
    stream.version = snapshot.version;
    stream.ready = true;
  }

  private onNotify(showtimeId: number, version: number): void {
    const ch = this.channels.get(showtimeId);
    if (!ch) return;
    ch.run(async () => {
      // Until a stream is ready, joins read the current state themselves.
      if (ch.version === null || version <= ch.version) return;
      const events = await loadSeatEventsSince(this.opts.knex, showtimeId, ch.version);
      if (events.length === 0) return;
      if (events[0].version !== ch.version + 1 || events.some((e) => e.layout)) {
        await this.resync(showtimeId, ch);
        return;
      }
      for (const { version: v, changes } of events) this.fanOut(ch, { version: v, changes });
    });
  }

  private fanOut(ch: Channel, e: SeatEvent): void {
    const frame = sseFrame('seats', e.version, e);
    for (const s of ch.streams) {
      if (!s.ready || e.version <= s.version) continue;
      s.send(frame);
      s.version = e.version;
    }
    ch.version = e.version;
    this.applyToCache(ch, e);
  }

  private applyToCache(ch: Channel, e: SeatEvent): void {
    const cache = ch.cache;
    if (!cache || cache.version !== e.version - 1) {
      ch.cache = undefined;
      return;
    }
    const byId = new Map(cache.map.seats.map((s) => [s.seat_id, s]));
    if (e.changes.some((c) => !byId.has(c.seat_id))) {
      ch.cache = undefined;
      return;
    }
    const seats = cache.map.seats.map((s) => ({ ...s }));
    const index = new Map(seats.map((s) => [s.seat_id, s]));
    for (const c of e.changes) (index.get(c.seat_id) as { status: SeatStatus }).status = c.status;
    const counts = { available: 0, held: 0, booked: 0 };
    for (const s of seats) counts[s.status] += 1;
    ch.cache = { version: e.version, map: { ...cache.map, seats, counts } };
  }

  private resyncAll(): void {
    for (const [showtimeId, ch] of this.channels) ch.run(() => this.resync(showtimeId, ch));
  }

  private async resync(showtimeId: number, ch: Channel): Promise<void> {
    const snapshot = await this.loadSnapshot(showtimeId, ch);
    if (!snapshot) return;
    // Streams still waiting for their start get it here: a snapshot is a valid start.
    const frame = snapshotFrame(snapshot);
    for (const s of ch.streams) this.sendSnapshot(s, snapshot, frame);
    ch.version = snapshot.version;
  }
}
