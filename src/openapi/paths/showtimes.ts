import { z } from 'zod';
import { IdParams } from '../../http/ids';
import { CreateShowtimeBody, ListShowtimesQuery, SeatMapView, ShowtimeReportView, ShowtimeView, UpdateShowtimeBody } from '../../routes/catalog/showtimes/schema';
import { SeatEventsQuery } from '../../routes/catalog/seatEvents/schema';
import { named, pageOf } from '../common';
import type { RouteDoc } from '../types';

const Showtime = named('Showtime', ShowtimeView);
const ADMIN = { roles: ['admin'] } as const;
const NOT_FOUND = { status: 404, codes: { SHOWTIME_NOT_FOUND: 'No such showtime, or it was deleted' } };
const VALIDATION = { status: 422, codes: { VALIDATION_ERROR: 'A parameter or field is invalid' } };
const ID = { id: 'Showtime id' };

/** 19:30 UTC tomorrow: an example start that stays valid (in the future, within two years). */
function tomorrowEvening(): string {
  const d = new Date(Date.now() + 86_400_000);
  d.setUTCHours(19, 30, 0, 0);
  return d.toISOString().replace('.000Z', 'Z');
}

const SCHEDULING_ERRORS = {
  status: 422,
  codes: {
    VALIDATION_ERROR: 'A field is invalid',
    SHOWTIME_IN_PAST: 'starts_at is not in the future',
    SHOWTIME_OVERLAP: 'The auditorium is busy then (`conflicting_showtime_id`); ends_at includes the cleaning buffer',
  },
};

export const showtimeRoutes: RouteDoc[] = [
  {
    method: 'GET',
    path: '/api/v1/showtimes',
    operationId: 'listShowtimes',
    summary: 'List showtimes',
    description: 'Ordered by starts_at. Past showtimes are listed too unless `from` says otherwise.',
    tag: 'showtimes',
    auth: 'none',
    query: ListShowtimesQuery,
    paramDescriptions: {
      movie_id: 'Only this movie',
      auditorium_id: 'Only this auditorium',
      from: 'starts_at at or after (ISO 8601 with offset; encode `+` as %2B)',
      to: 'starts_at before (exclusive)',
    },
    responses: [{ status: 200, description: 'A page of showtimes', schema: pageOf('ShowtimePage', ShowtimeView) }],
    errors: [VALIDATION],
  },
  {
    method: 'POST',
    path: '/api/v1/showtimes',
    operationId: 'createShowtime',
    summary: 'Schedule a showtime (admin)',
    description: '`ends_at` = `starts_at` + the movie\'s duration + CLEANING_BUFFER_MINUTES.',
    tag: 'showtimes',
    auth: ADMIN,
    body: {
      schema: named('CreateShowtimeRequest', CreateShowtimeBody),
      examples: { evening: { summary: 'Tomorrow evening', value: { movie_id: 1, auditorium_id: 1, starts_at: tomorrowEvening(), base_price: '12.50' } } },
    },
    responses: [{ status: 201, description: 'The showtime', schema: Showtime, headers: { Location: 'The new showtime\'s URL' } }],
    errors: [{ status: 404, codes: { MOVIE_NOT_FOUND: 'No such movie', AUDITORIUM_NOT_FOUND: 'No such auditorium' } }, SCHEDULING_ERRORS],
  },
  {
    method: 'GET',
    path: '/api/v1/showtimes/:id',
    operationId: 'getShowtime',
    summary: 'One showtime',
    tag: 'showtimes',
    auth: 'none',
    params: IdParams,
    paramDescriptions: ID,
    responses: [{ status: 200, description: 'The showtime', schema: Showtime }],
    errors: [NOT_FOUND, VALIDATION],
  },
  {
    method: 'PATCH',
    path: '/api/v1/showtimes/:id',
    operationId: 'updateShowtime',
    summary: 'Change a showtime (admin)',
    description: 'A change of movie, auditorium or start re-plans ends_at and re-checks overlaps.',
    tag: 'showtimes',
    auth: ADMIN,
    params: IdParams,
    paramDescriptions: ID,
    body: { schema: named('UpdateShowtimeRequest', UpdateShowtimeBody), examples: { price: { summary: 'A new base price', value: { base_price: '9.90' } } } },
    responses: [{ status: 200, description: 'The changed showtime', schema: Showtime }],
    errors: [
      { status: 404, codes: { SHOWTIME_NOT_FOUND: 'No such showtime', MOVIE_NOT_FOUND: 'No such movie', AUDITORIUM_NOT_FOUND: 'No such auditorium' } },
      { status: 409, codes: { SHOWTIME_HAS_BOOKINGS: 'Reservations exist; the showtime cannot move' } },
      SCHEDULING_ERRORS,
    ],
  },
  {
    method: 'DELETE',
    path: '/api/v1/showtimes/:id',
    operationId: 'deleteShowtime',
    summary: 'Delete a showtime (admin, soft delete)',
    tag: 'showtimes',
    auth: ADMIN,
    params: IdParams,
    paramDescriptions: ID,
    responses: [{ status: 204, description: 'Deleted' }],
    errors: [NOT_FOUND, { status: 409, codes: { SHOWTIME_HAS_BOOKINGS: 'The showtime has held or confirmed reservations' } }, VALIDATION],
  },
  {
    method: 'GET',
    path: '/api/v1/showtimes/:id/seats',
    operationId: 'getSeatMap',
    summary: 'Seat map: every seat with its price and status',
    tag: 'showtimes',
    auth: 'none',
    params: IdParams,
    paramDescriptions: ID,
    description:
      'Answers an `ETag`: the showtime\'s seat version, which every committed seat change raises (the same number as the `version` of ' +
      '`GET /showtimes/:id/seats/events`). With `If-None-Match` naming it, 304 and no body.',
    headers: [{ name: 'If-None-Match', description: 'An ETag from an earlier answer: 304 while the seats are unchanged', schema: z.string() }],
    responses: [
      { status: 200, description: 'The seat map', schema: named('SeatMap', SeatMapView), headers: { ETag: 'The seat version, e.g. `"42"`' } },
      { status: 304, description: 'Unchanged since the ETag sent in If-None-Match', headers: { ETag: 'The seat version' } },
    ],
    errors: [NOT_FOUND, VALIDATION],
  },
  {
    method: 'GET',
    path: '/api/v1/showtimes/:id/seats/events',
    operationId: 'streamSeatMap',
    summary: 'Live seat map: server-sent events',
    description: [
      'A `text/event-stream` for `EventSource`. Public, like the seat map. Every event carries `id:` = the showtime\'s seat version, which rises by one per committed change.',
      '- `snapshot`: first, and again whenever this process could have missed a change (its database listener reconnected): the seat map (as `GET /showtimes/:id/seats`) plus `version`.',
      '- `seats`: `{version, changes: [{seat_id, status}]}`, one per committed hold, confirm, cancel or expiry, whichever API process or worker made it.',
      '- `end`: `{reason: "showtime_started" | "showtime_deleted"}`, then the stream closes.',
      '- a comment line `: heartbeat` every SEAT_EVENTS_HEARTBEAT_SECONDS (15).',
      '',
      'Resume with `Last-Event-ID` (EventSource sends it on reconnect) or `?last_event_id=`: exactly the missed `seats` events when they are still kept (the last 1,000 versions), else a fresh `snapshot`. ' +
        'A client that does not read fast enough (over 1 MiB unsent) is disconnected and resumes on reconnect. ' +
        'At most SEAT_EVENTS_MAX_STREAMS_PER_ADDRESS (20) streams per client address.',
    ].join('\n'),
    tag: 'showtimes',
    auth: 'none',
    params: IdParams,
    paramDescriptions: { ...ID, last_event_id: 'Resume after this version, as the Last-Event-ID header does' },
    query: SeatEventsQuery,
    headers: [{ name: 'Last-Event-ID', description: 'The id of the last event received: resume after it', schema: z.string() }],
    responses: [
      { status: 200, description: 'The event stream (`snapshot`, `seats`, `end`)', contentType: 'text/event-stream' },
      { status: 204, description: 'The showtime has started: nothing more will change (EventSource stops reconnecting)' },
    ],
    errors: [
      NOT_FOUND,
      { status: 422, codes: { VALIDATION_ERROR: 'The id, Last-Event-ID or last_event_id is not a non-negative integer' } },
      { status: 429, codes: { TOO_MANY_STREAMS: 'This address has SEAT_EVENTS_MAX_STREAMS_PER_ADDRESS streams open (Retry-After)' } },
    ],
  },
  {
    method: 'GET',
    path: '/api/v1/showtimes/:id/report',
    operationId: 'getShowtimeReport',
    summary: 'Sales report of a showtime (admin, staff)',
    description: 'Not in API.md. Seats sold, held and free, occupancy, gross revenue and refunds, reservations by status.',
    tag: 'showtimes',
    auth: { roles: ['admin', 'staff'] },
    params: IdParams,
    paramDescriptions: ID,
    responses: [{ status: 200, description: 'The report', schema: named('ShowtimeReport', ShowtimeReportView) }],
    errors: [NOT_FOUND, VALIDATION],
  },
];
