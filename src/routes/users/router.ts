import Router from '@koa/router';
import { changeUser, listUsers } from '../../accounts/userAdmin';
import { serializeUser } from '../../db/models';
import type { AppDeps } from '../../deps';
import { currentUser, requireAuth, requireRole } from '../../http/auth';
import { IdParams } from '../../http/ids';
import { windowOf, pageOf } from '../../http/pagination';
import { requestLog } from '../../http/requestId';
import { parseBody, parseParams, parseQuery } from '../../http/validate';
import { ListUsersQuery, UpdateUserBody } from './schema';

/** /users: user administration, for admins only. */
export function usersRouter({ knex, config, logger }: AppDeps): Router {
  const router = new Router({ prefix: '/users' });
  const adminOnly = [requireAuth(config.jwtSecret, knex), requireRole('admin')];

  router.get('/', ...adminOnly, async (ctx) => {
    const q = parseQuery(ctx, ListUsersQuery);
    const isActive = q.is_active === undefined ? undefined : q.is_active === 'true';
    const { users, total } = await listUsers(knex, { q: q.q, role: q.role, is_active: isActive, ...windowOf(q) });
    ctx.body = pageOf(users.map(serializeUser), q, total);
  });

  router.patch('/:id', ...adminOnly, async (ctx) => {
    const { id } = parseParams(ctx, IdParams);
    const change = parseBody(ctx, UpdateUserBody);
    const actor = currentUser(ctx.state).id;
    const user = await changeUser(knex, actor, id, change);
    requestLog(ctx, logger).info({ userId: id, changedBy: actor, ...change }, 'account changed by an admin');
    ctx.body = serializeUser(user);
  });

  return router;
}
