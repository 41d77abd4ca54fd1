import { auditoriumRoutes } from './paths/auditoriums';
import { authRoutes } from './paths/auth';
import { movieRoutes } from './paths/movies';
import { reservationRoutes } from './paths/reservations';
import { rootRoutes } from './paths/root';
import { showtimeRoutes } from './paths/showtimes';
import { seatHistoryRoutes } from './paths/seatHistory';
import { userRoutes } from './paths/users';
import { webhookRoutes } from './paths/webhooks';
import { ticketRoutes } from './paths/tickets';
import { webhookEndpointRoutes } from './paths/webhookEndpoints';
import type { RouteDoc } from './types';

/**
 * Every route the app serves, in document order. test/openapi.test.ts checks this list against
 * the registered routers both ways, so a new route fails the tests until it is described here.
 */
export const ROUTES: readonly RouteDoc[] = [...authRoutes, ...userRoutes, ...movieRoutes, ...auditoriumRoutes, ...showtimeRoutes, ...seatHistoryRoutes, ...reservationRoutes, ...ticketRoutes, ...webhookRoutes, ...webhookEndpointRoutes, ...rootRoutes];

export const TAGS = [
  { name: 'auth', description: 'Accounts and tokens. Access tokens (JWT, 15 min) go in `Authorization: Bearer`; refresh tokens (7 days) rotate on every use.' },
  { name: 'users', description: 'User administration (admin): search accounts, disable and enable them, change roles.' },
  { name: 'movies', description: 'Catalog: anyone reads, admins write.' },
  { name: 'auditoriums', description: 'Catalog: auditoriums and their seats.' },
  { name: 'showtimes', description: 'Catalog: showtimes, seat maps and sales reports.' },
  { name: 'reservations', description: 'Hold, pay, cancel. Each reservation is a Temporal workflow `reservation-<id>`. Users see only their own.' },
  { name: 'tickets', description: 'Signed tickets with QR codes, one per seat of a confirmed booking, and the key that verifies them offline.' },
  { name: 'checkin', description: 'Admission at the door, online and offline (staff and admins).' },
  { name: 'webhooks', description: "The payment provider's callbacks." },
  { name: 'webhook-endpoints', description: 'Outbound webhooks (admin): signed reservation and check-in events, sent in order per reservation, with a delivery log.' },
  { name: 'operations', description: 'Health, metrics and this documentation, outside /api/v1.' },
];
