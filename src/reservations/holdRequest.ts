import type { SeatType } from '../db/models/Seat';

/** These exact seats. */
export interface ExactSeatsHold {
  showtime_id: number;
  seat_ids: number[];
}

/** The best seats for a party, chosen by the server inside the hold. */
export interface BestAvailableHold {
  showtime_id: number;
  quantity: number;
  seat_type?: SeatType;
  together: boolean;
}

export type HoldRequest = ExactSeatsHold | BestAvailableHold;

export const isBestAvailable = (req: HoldRequest): req is BestAvailableHold => 'quantity' in req;

export const seatCountOf = (req: HoldRequest): number => (isBestAvailable(req) ? req.quantity : req.seat_ids.length);
