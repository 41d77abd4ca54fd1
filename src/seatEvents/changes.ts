import type { Knex } from 'knex';
import type { SeatStatus } from '../catalog/showtimes/seatMap';
import { SeatVersion } from '../db/models';

export interface SeatChange {
  seat_id: number;
  status: SeatStatus;
}

/** One committed transaction's seat changes to a showtime: the `seats` event of the stream. */
export interface SeatEvent {
  version: number;
  changes: SeatChange[];
}

/** As recorded: `layout` when the map itself changed (prices, seats in service), so it must be reloaded. */
export interface RecordedSeatEvent extends SeatEvent {
  layout: boolean;
}

/** The recorded seat events of a showtime after `afterVersion`, oldest first. */
export async function loadSeatEventsSince(knex: Knex, showtimeId: number, afterVersion: number): Promise<RecordedSeatEvent[]> {
  // Raw: each event with its changes aggregated in one statement; a graph fetch would take two round trips per resume.
  const { rows } = (await knex.raw(
    `SELECT e.version, e.layout,
            coalesce(json_agg(json_build_object('seat_id', c.seat_id, 'status', c.status) ORDER BY c.seat_id)
                     FILTER (WHERE c.seat_id IS NOT NULL), '[]') AS changes
       FROM seat_events e
       LEFT JOIN seat_event_changes c ON c.showtime_id = e.showtime_id AND c.version = e.version
      WHERE e.showtime_id = ? AND e.version > ?
      GROUP BY e.version, e.layout
      ORDER BY e.version`,
    [showtimeId, afterVersion],
  )) as { rows: { version: string; layout: boolean; changes: SeatChange[] }[] };
  return rows.map((r) => ({ version: Number(r.version), layout: r.layout, changes: r.changes }));
}

export type Resume = { kind: 'replay'; events: SeatEvent[]; version: number } | { kind: 'snapshot' };

/**
 * What a client that has seen `lastVersion` missed: exactly the events after it, when all are
 * still kept, none changed the map itself, and the number is one this showtime has reached;
 * otherwise it needs a snapshot.
 */
export async function resumeFrom(knex: Knex, showtimeId: number, lastVersion: number): Promise<Resume> {
  return knex.transaction(
    async (trx) => {
      const current = await SeatVersion.query(trx).findById(showtimeId).select('version');
      const version = current ? Number(current.version) : 0;
      if (lastVersion > version) return { kind: 'snapshot' } as const;
      const events = await loadSeatEventsSince(trx, showtimeId, lastVersion);
      // Versions have no gaps, so a full replay has exactly this many events.
      if (events.length !== version - lastVersion || events.some((e) => e.layout)) return { kind: 'snapshot' } as const;
      return { kind: 'replay', events: events.map(({ version: v, changes }) => ({ version: v, changes })), version } as const;
    },
    // Both reads from one snapshot: a commit between them would otherwise look like a gap.
    { isolationLevel: 'repeatable read', readOnly: true },
  );
}
