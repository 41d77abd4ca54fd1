import type { Knex } from 'knex';
import { listPage } from '../db/listPage';
import { User, type UserRole } from '../db/models';
import { ApiError, conflict, notFound } from '../http/errors';
import { escapeLike } from '../catalog/movies/movies';
import { endSessions } from './endSessions';

export interface UserFilter {
  /** Part of the name or e-mail, case-insensitive. */
  q?: string;
  role?: UserRole;
  is_active?: boolean;
  limit: number;
  offset: number;
}

export async function listUsers(knex: Knex, filter: UserFilter): Promise<{ users: User[]; total: number }> {
  const query = User.query(knex).where('is_deleted', false);
  if (filter.q) {
    const term = escapeLike(filter.q);
    query.whereRaw(`(lower(name) LIKE '%' || lower(?) || '%' ESCAPE '\\' OR lower(email) LIKE '%' || lower(?) || '%' ESCAPE '\\')`, [term, term]);
  }
  if (filter.role) query.where('role', filter.role);
  if (filter.is_active !== undefined) query.where('is_active', filter.is_active);
  const { rows: users, total } = await listPage(query, filter, (q) => q.orderBy('id'));
  return { users, total };
}

export interface AdminUserChange {
  is_active?: boolean;
  role?: UserRole;
}

/**
 * An admin's change to an account. Disabling ends its sessions at once (and for good: enabling
 * it again does not bring old tokens back). An admin cannot disable or demote themselves, so the
 * last admin cannot lock everyone out by mistake.
 */
export async function changeUser(knex: Knex, actorId: number, userId: number, change: AdminUserChange): Promise<User> {
  if (actorId === userId && (change.is_active === false || (change.role !== undefined && change.role !== 'admin'))) {
    throw conflict('CANNOT_CHANGE_OWN_ACCOUNT', 'Admins cannot disable their own account or take away their own admin role');
  }
  return User.transaction(knex, async (trx) => {
    const user = await User.query(trx).findById(userId).where('is_deleted', false).forUpdate();
    if (!user) throw notFound('USER_NOT_FOUND', `User ${userId} does not exist`);
    if (change.is_active === false && user.is_active) await endSessions(trx, userId);
    const updated = await User.query(trx).patchAndFetchById(userId, change);
    if (!updated) throw new ApiError(404, 'USER_NOT_FOUND', `User ${userId} does not exist`);
    return updated;
  });
}
