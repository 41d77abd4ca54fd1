import type { Knex } from 'knex';
import { RefreshToken, User } from '../db/models';

type Db = Knex | Knex.Transaction;

/**
 * Ends every session of a user at once: the access tokens stop working (their session version
 * is no longer the user's) and every refresh token is revoked. A session started afterwards, in
 * the same transaction or later, carries the new version.
 */
export async function endSessions(db: Db, userId: number): Promise<void> {
  await User.query(db).findById(userId).patch({ session_version: db.raw('session_version + 1'), updated_at: db.fn.now() });
  await RefreshToken.query(db).where({ user_id: userId }).modify('unrevoked').patch({ revoked_at: db.fn.now(), updated_at: db.fn.now() });
}
