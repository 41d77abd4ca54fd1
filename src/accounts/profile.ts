import type { Knex } from 'knex';
import { User } from '../db/models';
import { ApiError } from '../http/errors';
import { endSessions } from './endSessions';
import type { PasswordHasher } from './passwords';
import { startSession, type TokenPair } from './sessions';

export interface ProfileChange {
  name?: string;
  /** null clears it. */
  phone?: string | null;
}

/** What users may change about themselves; e-mail and role are not among it. */
export async function updateProfile(knex: Knex, userId: number, change: ProfileChange): Promise<User> {
  const user = await User.query(knex).patchAndFetchById(userId, change);
  if (!user) throw new ApiError(401, 'UNAUTHORIZED', 'Invalid access token');
  return user;
}

export const wrongCurrentPassword = () => new ApiError(403, 'INVALID_CURRENT_PASSWORD', 'The current password is incorrect');

/**
 * Changes a password after checking the current one, and ends every session (whoever else knew
 * the old password may be signed in) except the one that asked, which gets a fresh token pair.
 */
export async function changePassword(
  knex: Knex,
  hasher: PasswordHasher,
  userId: number,
  passwords: { current_password: string; new_password: string },
  jwtSecret: string,
): Promise<{ user: User; tokens: TokenPair }> {
  const user = await User.query(knex).findById(userId);
  if (!user) throw new ApiError(401, 'UNAUTHORIZED', 'Invalid access token');
  if (!(await hasher.verify(passwords.current_password, user.password_hash))) throw wrongCurrentPassword();
  const password_hash = await hasher.hash(passwords.new_password);
  return User.transaction(knex, async (trx) => {
    await endSessions(trx, userId);
    const updated = await User.query(trx).patchAndFetchById(userId, { password_hash });
    return { user: updated, tokens: await startSession(trx, updated, jwtSecret) };
  });
}
