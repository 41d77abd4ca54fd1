import { IdParams } from '../../http/ids';
import { AuditoriumSummaryView, AuditoriumView, CreateAuditoriumBody, ListAuditoriumsQuery, SeatParams, SeatView, UpdateSeatBody } from '../../routes/catalog/auditoriums/schema';
import { named, pageOf } from '../common';
import type { RouteDoc } from '../types';

const Auditorium = named('Auditorium', AuditoriumView);
const ADMIN = { roles: ['admin'] } as const;
const NOT_FOUND = { status: 404, codes: { AUDITORIUM_NOT_FOUND: 'No such auditorium' } };
const VALIDATION = { status: 422, codes: { VALIDATION_ERROR: 'A parameter or field is invalid' } };

export const auditoriumRoutes: RouteDoc[] = [
  {
    method: 'GET',
    path: '/api/v1/auditoriums',
    operationId: 'listAuditoriums',
    summary: 'List auditoriums',
    description: 'Ordered by name, with seat counts (the seats themselves are in GET /auditoriums/{id}).',
    tag: 'auditoriums',
    auth: 'none',
    query: ListAuditoriumsQuery,
    responses: [{ status: 200, description: 'A page of auditoriums', schema: pageOf('AuditoriumPage', AuditoriumSummaryView) }],
    errors: [VALIDATION],
  },
  {
    method: 'POST',
    path: '/api/v1/auditoriums',
    operationId: 'createAuditorium',
    summary: 'Add an auditorium and generate its seats (admin)',
    description:
      'Seats are numbered from 1 in each row and labelled row + number, e.g. `A1`. `focal_point` (not in API.md) is where the best view is: ' +
      'best-available holds (POST /reservations with `quantity`) start there and fill outward; null or absent means the centre of the middle rows. ' +
      'Its row must be one of `rows` and its seat within that row (422 otherwise).',
    tag: 'auditoriums',
    auth: ADMIN,
    body: {
      schema: named('CreateAuditoriumRequest', CreateAuditoriumBody),
      examples: {
        small: {
          summary: 'Two regular rows and a premium one',
          value: {
            name: 'Screen 1',
            rows: [
              { row: 'A', seats: 12 },
              { row: 'B', seats: 12, seat_type: 'regular' },
              { row: 'C', seats: 10, seat_type: 'premium', price_modifier: '2.50' },
            ],
          },
        },
        focal: {
          summary: 'A stadium hall whose best view is in the back row, between seats 7 and 8',
          value: {
            name: 'Screen 2',
            rows: ['A', 'B', 'C', 'D'].map((row) => ({ row, seats: 14 })),
            focal_point: { row: 'D', seat: 7.5 },
          },
        },
      },
    },
    responses: [{ status: 201, description: 'The auditorium with its seats', schema: Auditorium, headers: { Location: 'The new auditorium\'s URL' } }],
    errors: [{ status: 409, codes: { AUDITORIUM_NAME_TAKEN: 'Another auditorium has this name' } }, VALIDATION],
  },
  {
    method: 'GET',
    path: '/api/v1/auditoriums/:id',
    operationId: 'getAuditorium',
    summary: 'One auditorium with its seats',
    tag: 'auditoriums',
    auth: 'none',
    params: IdParams,
    paramDescriptions: { id: 'Auditorium id' },
    responses: [{ status: 200, description: 'The auditorium', schema: Auditorium }],
    errors: [NOT_FOUND, VALIDATION],
  },
  {
    method: 'PATCH',
    path: '/api/v1/auditoriums/:id/seats/:seatId',
    operationId: 'updateSeat',
    summary: 'Take a seat out of service or change its type or surcharge (admin)',
    description: 'Not in API.md. A seat out of service cannot be held; reservations it already has stand.',
    tag: 'auditoriums',
    auth: ADMIN,
    params: SeatParams,
    paramDescriptions: { id: 'Auditorium id', seatId: 'Seat id' },
    body: { schema: named('UpdateSeatRequest', UpdateSeatBody), examples: { broken: { summary: 'A broken seat', value: { is_active: false } } } },
    responses: [{ status: 200, description: 'The seat', schema: named('Seat', SeatView) }],
    errors: [{ status: 404, codes: { AUDITORIUM_NOT_FOUND: 'No such auditorium', SEAT_NOT_FOUND: 'The auditorium has no such seat' } }, VALIDATION],
  },
];
