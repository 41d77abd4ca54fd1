import Router from '@koa/router';
import type { AppDeps } from '../../deps';
import { currentUser, requireAuth, requireRole } from '../../http/auth';
import { notFound } from '../../http/errors';
import { IdParams } from '../../http/ids';
import { parseBody, parseParams } from '../../http/validate';
import { reconcileBatch } from '../../tickets/batch';
import { checkIn, type CheckinRules } from '../../tickets/checkIn';
import { loadCheckinList } from '../../tickets/checkinList';
import { ticketKeys } from '../../tickets/keys';
import { CheckinBatchBody, CheckinBody } from './schema';

/** The door: scans online and offline, and the list a scanner caches (staff and admins). */
export function checkinRouter(deps: AppDeps): Router {
  const { knex, config } = deps;
  const rules: CheckinRules = { publicKey: ticketKeys(config.tickets.signingPrivateKey).publicKey, doorsOpenMinutes: config.tickets.doorsOpenMinutes };
  const router = new Router();
  const staff = [requireAuth(config.jwtSecret), requireRole('admin', 'staff')];

  router.post('/checkin', ...staff, async (ctx) => {
    const body = parseBody(ctx, CheckinBody);
    const { answer, replayed } = await checkIn(knex, rules, {
      secret: body.secret,
      nonce: body.nonce,
      scannerId: currentUser(ctx.state).id,
      showtimeId: body.showtime_id,
      gate: body.gate,
      scannedAt: new Date(),
      offline: false,
    });
    if (replayed) ctx.set('Idempotent-Replayed', 'true');
    ctx.body = answer;
  });

  router.post('/checkin/batch', ...staff, async (ctx) => {
    const body = parseBody(ctx, CheckinBatchBody);
    const scannerId = currentUser(ctx.state).id;
    ctx.body = await reconcileBatch(
      knex,
      rules,
      body.scans.map((s) => ({
        secret: s.secret,
        nonce: s.nonce,
        scannerId,
        showtimeId: s.showtime_id ?? body.showtime_id,
        gate: s.gate ?? body.gate,
        scannedAt: new Date(s.scanned_at),
        offline: true,
      })),
    );
  });

  router.get('/showtimes/:id/checkin-list', ...staff, async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const list = await loadCheckinList(knex, id, config.tickets.doorsOpenMinutes);
    if (!list) throw notFound('SHOWTIME_NOT_FOUND', `Showtime ${id} not found`);
    ctx.body = list;
  });

  return router;
}
