import type { KeyObject } from 'node:crypto';
import type { Knex } from 'knex';
import QRCode from 'qrcode';
import { Reservation, Showtime, Ticket, type Checkin } from '../db/models';
import { signTicket } from './secret';

export type TicketStatus = 'issued' | 'revoked' | 'expired';

export interface TicketView {
  id: string;
  reservation_id: string;
  showtime_id: number;
  seat_id: number;
  seat_label: string;
  status: TicketStatus;
  secret: string;
  issued_at: string;
  revoked_at: string | null;
  checked_in_at: string | null;
  /** The secret as a QR code: `data:image/svg+xml;base64,...` and `data:image/png;base64,...`. */
  qr_svg: string;
  qr_png: string;
}

export interface ReservationTickets {
  reservation_id: string;
  showtime_id: number;
  movie_title: string;
  auditorium_name: string;
  starts_at: string;
  tickets: TicketView[];
}

/** A ticket as shown: its effective status, its seat's label and its admission's time. */
type ShownTicket = Pick<Ticket, 'id' | 'reservation_id' | 'showtime_id' | 'seat_id' | 'status' | 'issued_at' | 'revoked_at'> & {
  seat_label: string;
  checked_in_at: Checkin['checked_in_at'] | null;
};

/** A ticket still `issued` after its show ended reads as expired (the end of the show expires it). */
export const EFFECTIVE_STATUS_SQL = `CASE WHEN t.status = 'issued' AND st.ends_at <= now() THEN 'expired' ELSE t.status END`;

// Medium error correction survives a scuffed phone screen; a quiet zone of 2 modules is enough on screen and paper.
const QR_OPTIONS = { errorCorrectionLevel: 'M', margin: 2 } as const;

export async function qrSvg(secret: string): Promise<string> {
  return QRCode.toString(secret, { ...QR_OPTIONS, type: 'svg' });
}

/** Whose reservation it is and for which showtime: what deciding who may see its tickets needs. */
export async function findTicketsReservation(knex: Knex, reservationId: string): Promise<Pick<Reservation, 'id' | 'user_id' | 'showtime_id'> | undefined> {
  return Reservation.query(knex).findById(reservationId).select('id', 'user_id', 'showtime_id');
}

/** The tickets of one reservation with their secrets and QR codes; empty before it is confirmed. */
export async function loadReservationTickets(knex: Knex, privateKey: KeyObject, reservation: { id: string; showtime_id: number }): Promise<ReservationTickets> {
  const showtime = await Showtime.query(knex)
    .joinRelated('[movie, auditorium]')
    .findById(reservation.showtime_id)
    .select('showtimes.starts_at', 'movie.title', 'auditorium.name')
    .castTo<{ starts_at: Date; title: string; name: string } | undefined>();
  const rows = await Ticket.query(knex)
    .alias('t')
    .joinRelated('[showtime as st, seat as s]')
    .leftJoinRelated('checkin as c')
    .where('t.reservation_id', reservation.id)
    .orderBy('s.row')
    .orderBy('s.number')
    .select('t.id', 't.reservation_id', 't.showtime_id', 't.seat_id', knex.raw(`s.row || s.number AS seat_label`), knex.raw(`${EFFECTIVE_STATUS_SQL} AS status`), 't.issued_at', 't.revoked_at', 'c.checked_in_at')
    .castTo<ShownTicket[]>();
  const tickets = await Promise.all(
    rows.map(async (r): Promise<TicketView> => {
      const secret = signTicket(privateKey, { ticketId: r.id, showtimeId: r.showtime_id, seatId: r.seat_id });
      const [svg, png] = await Promise.all([qrSvg(secret), QRCode.toDataURL(secret, QR_OPTIONS)]);
      return {
        id: r.id,
        reservation_id: r.reservation_id,
        showtime_id: r.showtime_id,
        seat_id: r.seat_id,
        seat_label: r.seat_label,
        status: r.status,
        secret,
        issued_at: r.issued_at.toISOString(),
        revoked_at: r.revoked_at ? r.revoked_at.toISOString() : null,
        checked_in_at: r.checked_in_at ? r.checked_in_at.toISOString() : null,
        qr_svg: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
        qr_png: png,
      };
    }),
  );
  return {
    reservation_id: reservation.id,
    showtime_id: reservation.showtime_id,
    movie_title: showtime?.title ?? '',
    auditorium_name: showtime?.name ?? '',
    starts_at: showtime ? new Date(showtime.starts_at).toISOString() : '',
    tickets,
  };
}
