import Router from '@koa/router';
import { showtimeNotFound } from '../../../catalog/showtimes/schedule';
import { Showtime } from '../../../db/models';
import type { AppDeps } from '../../../deps';
import { ApiError, serviceUnavailable } from '../../../http/errors';
import { IdParams } from '../../../http/ids';
import { parse, parseParams, parseQuery } from '../../../http/validate';
import { SeatEventHub } from '../../../seatEvents/hub';
import { SeatEventsHeaders, SeatEventsQuery } from './schema';

const tooManyStreams = (max: number) =>
  new ApiError(429, 'TOO_MANY_STREAMS', `At most ${max} seat-map streams may be open from one address`, {}, { 'Retry-After': '10' });

/** The hub of a process that did not bring its own (tests, tools): it connects only when used. */
export function defaultSeatEventHub({ knex, config, logger }: Pick<AppDeps, 'knex' | 'config' | 'logger'>): SeatEventHub {
  return new SeatEventHub({
    knex,
    databaseUrl: config.databaseUrl,
    logger,
    heartbeatMs: config.seatEvents.heartbeatSeconds * 1000,
    maxStreamsPerAddress: config.seatEvents.maxStreamsPerAddress,
  });
}

/** GET /showtimes/:id/seats/events: the live seat map as server-sent events. Public, like the map. */
export function seatEventsRouter(deps: AppDeps): Router {
  const hub = deps.seatEvents ?? defaultSeatEventHub(deps);
  const router = new Router({ prefix: '/showtimes' });

  router.get('/:id/seats/events', async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const query = parseQuery(ctx, SeatEventsQuery);
    const headers = parse(SeatEventsHeaders, { 'last-event-id': ctx.get('Last-Event-ID') || undefined }, 'header');
    // The header is what EventSource sends on a reconnect: newer than the URL's starting point.
    const lastEventId = headers['last-event-id'] ?? query.last_event_id;

    const showtime = await Showtime.query(deps.knex).modify('live').findById(id).select('id', 'starts_at');
    if (!showtime) throw showtimeNotFound(id);
    if (showtime.starts_at.getTime() <= Date.now()) {
      // 204 is what tells EventSource to stop reconnecting.
      ctx.status = 204;
      return;
    }
    const release = hub.reserve(ctx.ip);
    if (!release) throw tooManyStreams(deps.config.seatEvents.maxStreamsPerAddress);
    try {
      await hub.listening();
    } catch (err) {
      release();
      throw Object.assign(serviceUnavailable(), { cause: err });
    }

    // The stream outlives this middleware chain: Koa must not answer for us.
    ctx.status = 200;
    ctx.respond = false;
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    hub.attach({ showtimeId: id, startsAt: showtime.starts_at, lastEventId, out: ctx.res, release });
  });

  return router;
}
