import type { KeyObject } from 'node:crypto';
import type { Knex } from 'knex';
import { insertedRows } from '../db/insertedRows';
import { Checkin, CheckinScan, Ticket, type Showtime } from '../db/models';
import type { CheckinAnswer, CheckinResult, InvalidReason } from './results';
import { secretHash, verifyTicketSecret } from './secret';

export interface Scan {
  secret: string;
  nonce: string;
  scannerId: number;
  /** The showtime the scanner admits to; unchecked when absent. */
  showtimeId?: number;
  gate?: string;
  /** When the scanner read the ticket: now online, the device's clock for an offline upload. */
  scannedAt: Date;
  offline: boolean;
}

export interface CheckinRules {
  publicKey: KeyObject;
  doorsOpenMinutes: number;
}

export interface ScanOutcome {
  answer: CheckinAnswer;
  /** The nonce was seen before: this is the first answer, given again; nothing was recorded. */
  replayed: boolean;
}

/** A scanned ticket with its seat's label and its show's times. */
type ScannedTicket = Pick<Ticket, 'id' | 'showtime_id' | 'seat_id' | 'secret_hash' | 'status'> & Pick<Showtime, 'starts_at' | 'ends_at'> & { seat_label: string };

/** Thrown inside the transaction to roll it back: another request already answered this nonce. */
class NonceTaken extends Error {}

const iso = (d: Date | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

async function priorAnswer(knex: Knex, scannerId: number, nonce: string): Promise<CheckinAnswer | undefined> {
  const row = await CheckinScan.query(knex).findOne({ scanner_id: scannerId, nonce }).select('response');
  return row?.response;
}

async function findTicket(knex: Knex, ticketId: string): Promise<ScannedTicket | undefined> {
  return Ticket.query(knex)
    .joinRelated('[showtime, seat]')
    .findById(ticketId)
    .select(
      'tickets.id',
      'tickets.showtime_id',
      'tickets.seat_id',
      knex.raw(`seat.row || seat.number AS seat_label`),
      'tickets.secret_hash',
      'tickets.status',
      'showtime.starts_at',
      'showtime.ends_at',
    )
    .castTo<ScannedTicket | undefined>();
}

/**
 * One scan at the door. The admission is the insert into `checkins`, whose UNIQUE ticket_id lets
 * exactly one of any number of concurrent scans win; the scan is recorded in the same
 * transaction under its (scanner, nonce), so a retry finds this answer and never reads as a
 * second scan. A secret that does not verify is answered `invalid` and admits nobody.
 */
export async function checkIn(knex: Knex, rules: CheckinRules, scan: Scan): Promise<ScanOutcome> {
  const prior = await priorAnswer(knex, scan.scannerId, scan.nonce);
  if (prior) return { answer: prior, replayed: true };

  const claims = verifyTicketSecret(rules.publicKey, scan.secret);
  const found = claims ? await findTicket(knex, claims.ticketId) : undefined;
  // The signature holds, but the ticket must also be one we issued, for that seat and showtime.
  const ticket =
    found && claims && found.secret_hash === secretHash(scan.secret) && found.showtime_id === claims.showtimeId && found.seat_id === claims.seatId ? found : undefined;

  const base: CheckinAnswer = {
    result: 'invalid',
    reason: null,
    ticket_id: ticket?.id ?? null,
    showtime_id: ticket?.showtime_id ?? null,
    seat_id: ticket?.seat_id ?? null,
    seat_label: ticket?.seat_label ?? null,
    checked_in_at: null,
    checked_in_gate: null,
    doors_open_at: null,
    scanned_at: scan.scannedAt.toISOString(),
    displaced: null,
  };
  const answer = (result: CheckinResult, extra: Partial<CheckinAnswer> = {}): CheckinAnswer => ({ ...base, result, ...extra });
  const invalid = (reason: InvalidReason) => answer('invalid', { reason });

  try {
    return {
      replayed: false,
      answer: await CheckinScan.transaction(knex, async (trx) => {
        let decided: CheckinAnswer;
        if (!ticket) decided = invalid(claims ? 'unknown_ticket' : 'bad_signature');
        else decided = await admit(trx, rules, scan, ticket, answer, invalid);
        const [recorded] = await insertedRows(
          CheckinScan.query(trx)
            .insert({
            scanner_id: scan.scannerId,
            nonce: scan.nonce,
            gate: scan.gate ?? null,
            ticket_id: ticket?.id ?? null,
            showtime_id: scan.showtimeId ?? null,
            result: decided.result,
            scanned_at: scan.scannedAt,
            offline: scan.offline,
            response: decided,
          })
          .onConflict(['scanner_id', 'nonce'])
          .ignore()
          .returning('id'),
        );
        if (!recorded) throw new NonceTaken();
        return decided;
      }),
    };
  } catch (err) {
    if (!(err instanceof NonceTaken)) throw err;
    // A retry of this nonce ran at the same time and won; ours changed nothing.
    const first = await priorAnswer(knex, scan.scannerId, scan.nonce);
    if (!first) throw err;
    return { answer: first, replayed: true };
  }
}

async function admit(
  trx: Knex.Transaction,
  rules: CheckinRules,
  scan: Scan,
  ticket: ScannedTicket,
  answer: (result: CheckinResult, extra?: Partial<CheckinAnswer>) => CheckinAnswer,
  invalid: (reason: InvalidReason) => CheckinAnswer,
): Promise<CheckinAnswer> {
  if (ticket.status === 'revoked') return answer('revoked');
  if (scan.showtimeId !== undefined && scan.showtimeId !== ticket.showtime_id) return answer('wrong_showtime');
  const at = scan.scannedAt.getTime();
  if (ticket.status === 'expired' || at >= ticket.ends_at.getTime()) {
    await Ticket.query(trx).where({ id: ticket.id, status: 'issued' }).patch({ status: 'expired', expired_at: trx.fn.now() });
    return invalid('expired');
  }
  const doorsOpen = ticket.starts_at.getTime() - rules.doorsOpenMinutes * 60_000;
  if (at < doorsOpen) return answer('too_early', { doors_open_at: new Date(doorsOpen).toISOString() });

  const [inserted] = await insertedRows(
    Checkin.query(trx)
      .insert({ ticket_id: ticket.id, checked_in_at: scan.scannedAt, gate: scan.gate ?? null, scanner_id: scan.scannerId, offline: scan.offline })
      .onConflict('ticket_id')
      .ignore()
      .returning('id'),
  );
  if (inserted) return answer('ok', { checked_in_at: scan.scannedAt.toISOString(), checked_in_gate: scan.gate ?? null });

  // Waits for a concurrent winner's commit (the insert above did), then reads its admission.
  const first = (await Checkin.query(trx).findOne({ ticket_id: ticket.id }).forUpdate().select('checked_in_at', 'gate')) as Checkin;
  if (scan.offline && at < first.checked_in_at.getTime()) {
    // First scan wins: an offline scan from before the recorded admission becomes the admission.
    await Checkin.query(trx)
      .where({ ticket_id: ticket.id })
      .patch({ checked_in_at: scan.scannedAt, gate: scan.gate ?? null, scanner_id: scan.scannerId, offline: true, recorded_at: trx.fn.now() });
    return answer('ok', {
      checked_in_at: scan.scannedAt.toISOString(),
      checked_in_gate: scan.gate ?? null,
      displaced: { checked_in_at: first.checked_in_at.toISOString(), gate: first.gate },
    });
  }
  return answer('already_used', { checked_in_at: iso(first.checked_in_at), checked_in_gate: first.gate });
}
