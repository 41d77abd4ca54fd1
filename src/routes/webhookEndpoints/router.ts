import Router from '@koa/router';
import type { AppDeps } from '../../deps';
import { currentUser, requireAuth, requireRole } from '../../http/auth';
import { IdParams } from '../../http/ids';
import { windowOf, pageOf, PaginationQuery } from '../../http/pagination';
import { requestLog } from '../../http/requestId';
import { parseBody, parseParams, parseQuery } from '../../http/validate';
import {
  createEndpoint,
  deleteEndpoint,
  findEndpoint,
  listDeliveries,
  listEndpoints,
  redeliver,
  serializeDelivery,
  serializeEndpoint,
} from '../../webhooks/endpoints';
import { CreateWebhookEndpointBody, DeliveryParams, ListDeliveriesQuery } from './schema';

/** /webhook-endpoints: outbound webhooks, for admins only. */
export function webhookEndpointsRouter({ knex, config, temporal, logger }: AppDeps): Router {
  const router = new Router({ prefix: '/webhook-endpoints' });
  const adminOnly = [requireAuth(config.jwtSecret, knex), requireRole('admin')];

  router.post('/', ...adminOnly, async (ctx) => {
    const body = parseBody(ctx, CreateWebhookEndpointBody);
    const actor = currentUser(ctx.state).id;
    const { endpoint, secret } = await createEndpoint(knex, body, actor, config.webhooks);
    requestLog(ctx, logger).info({ endpointId: endpoint.id, url: endpoint.url, events: endpoint.events, createdBy: actor }, 'webhook endpoint created');
    ctx.status = 201;
    ctx.set('Location', `/api/v1/webhook-endpoints/${endpoint.id}`);
    ctx.body = { ...serializeEndpoint(endpoint), secret };
  });

  router.get('/', ...adminOnly, async (ctx) => {
    const q = parseQuery(ctx, PaginationQuery);
    const { endpoints, total } = await listEndpoints(knex, windowOf(q));
    ctx.body = pageOf(endpoints.map(serializeEndpoint), q, total);
  });

  router.get('/:id', ...adminOnly, async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    ctx.body = serializeEndpoint(await findEndpoint(knex, id));
  });

  router.delete('/:id', ...adminOnly, async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    await deleteEndpoint(knex, id);
    requestLog(ctx, logger).info({ endpointId: id, deletedBy: currentUser(ctx.state).id }, 'webhook endpoint deleted');
    ctx.status = 204;
  });

  router.get('/:id/deliveries', ...adminOnly, async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const q = parseQuery(ctx, ListDeliveriesQuery);
    const { deliveries, total } = await listDeliveries(knex, id, { status: q.status, reservation_id: q.reservation_id, ...windowOf(q) });
    ctx.body = pageOf(deliveries.map(serializeDelivery), q, total);
  });

  router.post('/:id/deliveries/:delivery_id/redeliver', ...adminOnly, async (ctx) => {
    const { id, delivery_id } = parseParams(ctx, DeliveryParams);
    const delivery = await redeliver(knex, temporal, { webhooks: config.webhooks, taskQueue: config.temporal.taskQueue }, id, delivery_id);
    requestLog(ctx, logger).info({ endpointId: id, deliveryId: delivery_id, by: currentUser(ctx.state).id }, 'webhook redelivery requested');
    ctx.status = 202;
    ctx.body = serializeDelivery(delivery);
  });

  return router;
}
