import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

/**
 * Ends every session of a user at once: the access tokens stop working (their session version
 * is no longer the user's) and every refresh token is revoked. A session started afterwards, in
 * the same transaction or later, carries the new version.
 */
export async function endSessions(db: Db, userId: number): Promise<void> {
  await db('users').where({ id: userId }).update({ session_version: db.raw('session_version + 1'), updated_at: db.fn.now() });
  await db('refresh_tokens').where({ user_id: userId }).whereNull('revoked_at').update({ revoked_at: db.fn.now(), updated_at: db.fn.now() });
}
