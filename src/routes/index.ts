import type Router from '@koa/router';
import type { AppDeps } from '../deps';
import { authRouter } from './auth/router';
import { reservationsRouter } from './reservations/router';
import { moviesRouter } from './catalog/movies/router';
import { auditoriumsRouter } from './catalog/auditoriums/router';
import { showtimesRouter } from './catalog/showtimes/router';
import { seatEventsRouter } from './catalog/seatEvents/router';
import { seatHistoryRouter } from './catalog/seatHistory/router';
import { usersRouter } from './users/router';
import { webhooksRouter } from './webhooks/router';
import { ticketsRouter } from './tickets/router';
import { checkinRouter } from './checkin/router';
import { webhookEndpointsRouter } from './webhookEndpoints/router';

/** Every router mounted under /api/v1, in one list so the app and the OpenAPI check agree. */
export function apiRouters(deps: AppDeps): Router[] {
  return [
    authRouter(deps),
    reservationsRouter(deps),
    moviesRouter(deps),
    auditoriumsRouter(deps),
    showtimesRouter(deps),
    seatEventsRouter(deps),
    seatHistoryRouter(deps),
    usersRouter(deps),
    webhooksRouter(deps),
    ticketsRouter(deps),
    checkinRouter(deps),
    webhookEndpointsRouter(deps),
  ];
}
