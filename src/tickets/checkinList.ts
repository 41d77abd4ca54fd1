import type { Knex } from 'knex';
import { Showtime, Ticket } from '../db/models';
import { EFFECTIVE_STATUS_SQL, type TicketStatus } from './view';

export interface CheckinList {
  showtime_id: number;
  starts_at: string;
  doors_open_at: string;
  ends_at: string;
  generated_at: string;
  tickets: { id: string; seat_id: number; seat_label: string; status: TicketStatus; secret_hash: string; checked_in_at: string | null }[];
}

/**
 * What a scanner caches to work offline: with the public key it verifies a secret, and with
 * the list it knows the ticket (by the SHA-256 of the secret), whether it was revoked, and
 * whether it was admitted before it lost its connection. No secrets: the list prints no tickets.
 */
export async function loadCheckinList(knex: Knex, showtimeId: number, doorsOpenMinutes: number): Promise<CheckinList | null> {
  const showtime = await Showtime.query(knex).modify('live').findById(showtimeId).select('id', 'starts_at', 'ends_at');
  if (!showtime) return null;
  const rows = await Ticket.query(knex)
    .alias('t')
    .joinRelated('[showtime as st, seat as s]')
    .leftJoinRelated('checkin as c')
    .where('t.showtime_id', showtimeId)
    .orderBy('s.row')
    .orderBy('s.number')
    .select('t.id', 't.seat_id', knex.raw(`s.row || s.number AS seat_label`), knex.raw(`${EFFECTIVE_STATUS_SQL} AS status`), 't.secret_hash', 'c.checked_in_at')
    .castTo<{ id: string; seat_id: number; seat_label: string; status: TicketStatus; secret_hash: string; checked_in_at: Date | null }[]>();
  const startsAt = new Date(showtime.starts_at);
  return {
    showtime_id: showtime.id,
    starts_at: startsAt.toISOString(),
    doors_open_at: new Date(startsAt.getTime() - doorsOpenMinutes * 60_000).toISOString(),
    ends_at: new Date(showtime.ends_at).toISOString(),
    generated_at: new Date().toISOString(),
    tickets: rows.map((r) => ({ ...r, checked_in_at: r.checked_in_at ? r.checked_in_at.toISOString() : null })),
  };
}
