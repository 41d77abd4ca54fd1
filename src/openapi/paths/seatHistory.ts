import { PaginationQuery } from '../../http/pagination';
import { SeatHistoryItemView, SeatHistoryParams } from '../../routes/catalog/seatHistory/schema';
import { pageOf } from '../common';
import type { RouteDoc } from '../types';

const RESERVATION = '6f1c2a4e-8b1d-4c55-9d0e-2f7a3b9c1d20';
const OTHER_RESERVATION = '0b7e5d3a-1c2f-4e6a-8d9b-3a4c5e6f7a81';

export const seatHistoryRoutes: RouteDoc[] = [
  {
    method: 'GET',
    path: '/api/v1/showtimes/:id/seats/:seat_id/history',
    operationId: 'getSeatHistory',
    summary: 'History of one seat of a showtime (admin, staff)',
    description: [
      'Every hold, booking (confirm), release (cancel or expiry, with the reason) and check-in of the seat for this showtime, oldest first, with the reservation, its user, and the staff member who scanned the ticket.',
      'The entries are written by database triggers in the same transaction as the change, whichever process made it (the API\'s hold, the workflow\'s activities, an operator\'s SQL): a hold that rolled back left none.',
      'The list is in the order the entries were recorded. An offline scan uploaded later (POST /checkin/batch) that is earlier than the admission on record becomes the admission: it is listed as a further `checked_in`, with its own scanner and scan time.',
      'A seat of the showtime\'s auditorium that is out of service keeps its history.',
    ].join('\n\n'),
    tag: 'showtimes',
    auth: { roles: ['admin', 'staff'] },
    params: SeatHistoryParams,
    paramDescriptions: { id: 'Showtime id', seat_id: "Seat id (a seat of the showtime's auditorium)", page: 'Page number, from 1', page_size: 'Entries per page (max 100)' },
    query: PaginationQuery,
    responses: [
      {
        status: 200,
        description: 'A page of the seat\'s history, oldest first',
        schema: pageOf('SeatHistoryPage', SeatHistoryItemView),
        example: {
          items: [
            { id: 101, event: 'held', at: '2026-12-01T18:02:11.482Z', reservation_id: OTHER_RESERVATION, user_id: 9, actor_id: null, reason: null, cancel_reason: null },
            { id: 140, event: 'released', at: '2026-12-01T18:12:11.530Z', reservation_id: OTHER_RESERVATION, user_id: 9, actor_id: null, reason: 'expired', cancel_reason: null },
            { id: 152, event: 'held', at: '2026-12-01T18:20:03.117Z', reservation_id: RESERVATION, user_id: 12, actor_id: null, reason: null, cancel_reason: null },
            { id: 153, event: 'booked', at: '2026-12-01T18:21:40.006Z', reservation_id: RESERVATION, user_id: 12, actor_id: null, reason: null, cancel_reason: null },
            { id: 201, event: 'checked_in', at: '2026-12-01T19:14:52.000Z', reservation_id: RESERVATION, user_id: 12, actor_id: 3, reason: null, cancel_reason: null },
          ],
          page: 1,
          page_size: 20,
          total: 5,
        },
      },
    ],
    errors: [
      { status: 404, codes: { SHOWTIME_NOT_FOUND: 'No such showtime, or it was deleted', SEAT_NOT_FOUND: "The showtime's auditorium has no such seat" } },
      { status: 422, codes: { VALIDATION_ERROR: 'An id, page or page_size is not a positive whole number in range' } },
    ],
  },
];
