import type { Knex } from 'knex';
import { UniqueViolationError } from 'objection';
import { User, type UserRole } from '../db/models';
import { ApiError, conflict } from '../http/errors';
import type { PasswordHasher } from './passwords';

const EMAIL_INDEX = 'users_email_lower_unique';

export interface NewAccount {
  name: string;
  /** Already trimmed and lower-cased by the request schema. */
  email: string;
  password: string;
}

export const invalidCredentials = () => new ApiError(401, 'INVALID_CREDENTIALS', 'Email or password is incorrect');
export const accountDisabled = () => new ApiError(403, 'ACCOUNT_DISABLED', 'This account is disabled');

/**
 * Hashes the password (outside any transaction: bcrypt is slow), then inserts the user and runs
 * `within` in one transaction, so a signup never leaves a user without the session it answered
 * with. The unique index on lower(email) settles concurrent signups for one address.
 */
export async function createAccount<T>(
  knex: Knex,
  hasher: PasswordHasher,
  input: NewAccount,
  role: UserRole,
  within: (trx: Knex.Transaction, user: User) => Promise<T>,
): Promise<T> {
  const password_hash = await hasher.hash(input.password);
  try {
    return await User.transaction(knex, async (trx) => {
      const user = await User.query(trx).insert({ name: input.name, email: input.email, password_hash, role }).returning('*');
      return within(trx, user);
    });
  } catch (err) {
    if (err instanceof UniqueViolationError && err.constraint === EMAIL_INDEX) {
      throw conflict('EMAIL_TAKEN', 'An account with this email already exists');
    }
    throw err;
  }
}

/**
 * Checks an email and password. Unknown, deleted and wrong-password accounts get one and the
 * same answer after the same bcrypt work; a disabled account is named only to someone who
 * knows its password.
 */
export async function authenticate(knex: Knex, hasher: PasswordHasher, email: string, password: string): Promise<User> {
  const user = await User.query(knex).whereRaw('lower(email) = ?', [email]).where('is_deleted', false).first();
  const ok = await hasher.verify(password, user?.password_hash ?? null);
  if (!user || !ok) throw invalidCredentials();
  if (!user.is_active) throw accountDisabled();
  if (hasher.needsRehash(user.password_hash)) {
    // The cost factor was raised since this hash was made; the plain password is at hand only now.
    await User.query(knex)
      .findById(user.id)
      .patch({ password_hash: await hasher.hash(password) });
  }
  return user;
}
