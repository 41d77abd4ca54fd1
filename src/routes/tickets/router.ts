import Router from '@koa/router';
import type { Context } from 'koa';
import type { AppDeps } from '../../deps';
import { currentUser, requireAuth } from '../../http/auth';
import { notFound } from '../../http/errors';
import { UuidParams } from '../../http/ids';
import { publicKeyPem, rawPublicKey, ticketKeys } from '../../tickets/keys';
import { ticketsPage } from '../../tickets/printPage';
import { findTicketsReservation, loadReservationTickets, type ReservationTickets } from '../../tickets/view';
import type { PublicKeyResponse } from './schema';
import type { z } from 'zod';

export const SECRET_FORMAT =
  'base64url(payload) "." base64url(signature). payload (25 bytes): format version 1 (1 byte), ticket id (16-byte UUID), ' +
  'showtime id (4 bytes, big-endian), seat id (4 bytes, big-endian). signature: Ed25519 over the payload bytes.';

/** A customer's tickets (theirs only), staff's and admins' of anyone; and the key that checks them. */
export function ticketsRouter(deps: AppDeps): Router {
  const { knex, config } = deps;
  const keys = ticketKeys(config.tickets.signingPrivateKey);
  const router = new Router();
  const auth = requireAuth(config.jwtSecret);

  /** Another user's reservation is "not found", never "forbidden", as everywhere else. */
  async function visibleTickets(ctx: Context): Promise<ReservationTickets> {
    const params = UuidParams.safeParse((ctx as Context & { params?: unknown }).params);
    if (!params.success) throw notFound('RESERVATION_NOT_FOUND', 'Reservation not found');
    const user = currentUser(ctx.state);
    const reservation = await findTicketsReservation(knex, params.data.id);
    if (!reservation || (reservation.user_id !== user.id && user.role !== 'admin' && user.role !== 'staff')) {
      throw notFound('RESERVATION_NOT_FOUND', 'Reservation not found');
    }
    ctx.state.reservationId = reservation.id;
    return loadReservationTickets(knex, keys.privateKey, reservation);
  }

  router.get('/tickets/public-key', (ctx) => {
    const body: z.infer<typeof PublicKeyResponse> = {
      algorithm: 'Ed25519',
      public_key: rawPublicKey(keys.publicKey).toString('base64'),
      public_key_pem: publicKeyPem(keys.publicKey),
      secret_format: SECRET_FORMAT,
    };
    // Changes only with a key rotation; scanners fetch it before going offline.
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = body;
  });

  router.get('/reservations/:id/tickets', auth, async (ctx) => {
    ctx.body = await visibleTickets(ctx);
  });

  router.get('/reservations/:id/tickets/print', auth, async (ctx) => {
    const view = await visibleTickets(ctx);
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = ticketsPage(view);
  });

  return router;
}
