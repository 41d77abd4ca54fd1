export { BaseModel } from './BaseModel';
export { User, serializeUser, type UserRole } from './User';
export { Movie } from './Movie';
export { Auditorium } from './Auditorium';
export { Seat, type SeatType } from './Seat';
export { Showtime } from './Showtime';
export { Reservation } from './Reservation';
export { ReservationSeat } from './ReservationSeat';
export { SeatHistoryEntry, type SeatHistoryEvent, type SeatReleaseReason } from './SeatHistoryEntry';
