import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { UserRole } from '../db/models';

export const REFRESH_TOKEN_TTL_SECONDS = 7 * 24 * 60 * 60;
/** Makes a leaked token recognisable to secret scanners and in logs; never parsed. */
const TOKEN_PREFIX = 'rt_';

type Db = Knex | Knex.Transaction;

/** Only the SHA-256 of a refresh token is stored: a database leak yields no usable tokens. */
export const hashRefreshToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** A family (one login's chain of rotations) and when its login happened. */
export interface RefreshFamily {
  id: string;
  startedAt: Date;
}

/**
 * Stores a new opaque refresh token and returns it. A login or signup starts a new family;
 * a rotation passes the family of the token it replaces, so the family keeps its start.
 */
export async function issueRefreshToken(db: Db, userId: number, family?: RefreshFamily): Promise<string> {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  await db('refresh_tokens').insert({
    user_id: userId,
    token_hash: hashRefreshToken(token),
    family_id: family?.id ?? randomUUID(),
    family_started_at: family?.startedAt ?? db.fn.now(),
    expires_at: db.raw('now() + make_interval(secs => ?)', [REFRESH_TOKEN_TTL_SECONDS]),
  });
  return token;
}

export type RotationFailure = 'unknown' | 'expired' | 'family_expired' | 'revoked' | 'reused' | 'account_unavailable';

export type RotationResult =
  | { ok: true; user: { id: number; role: UserRole; session_version: number }; refreshToken: string }
  | { ok: false; reason: RotationFailure; userId?: number };

interface TokenRow {
  id: number;
  user_id: number;
  family_id: string;
  family_started_at: Date;
  expired: boolean;
  family_expired: boolean;
  used_at: Date | null;
  revoked_at: Date | null;
  role: UserRole;
  is_active: boolean;
  is_deleted: boolean;
  session_version: number;
}

async function revokeFamily(db: Db, familyId: string): Promise<void> {
  await db('refresh_tokens').where({ family_id: familyId }).whereNull('revoked_at').update({ revoked_at: db.fn.now(), updated_at: db.fn.now() });
}

/**
 * Trades a refresh token for a new one of the same family (rotation). Presenting a token that
 * was already rotated means two parties hold it, so the whole family is revoked (OAuth 2.0
 * Security BCP, section 4.14). The row lock makes two concurrent uses of one token count as a
 * reuse rather than both succeeding. A family older than `familyMaxAgeDays` rotates no more: the
 * user signs in again.
 */
export async function rotateRefreshToken(knex: Knex, token: string, familyMaxAgeDays: number): Promise<RotationResult> {
  return knex.transaction(async (trx) => {
    const row: TokenRow | undefined = await trx('refresh_tokens as rt')
      .join('users as u', 'u.id', 'rt.user_id')
      .where('rt.token_hash', hashRefreshToken(token))
      .forUpdate('rt')
      .first(
        'rt.id',
        'rt.user_id',
        'rt.family_id',
        'rt.family_started_at',
        'rt.used_at',
        'rt.revoked_at',
        trx.raw('rt.expires_at <= now() AS expired'),
        trx.raw('rt.family_started_at + make_interval(days => ?) <= now() AS family_expired', [familyMaxAgeDays]),
        'u.role',
        'u.is_active',
        'u.is_deleted',
        'u.session_version',
      );
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.revoked_at) return { ok: false, reason: 'revoked' };
    if (row.used_at) {
      await revokeFamily(trx, row.family_id);
      return { ok: false, reason: 'reused', userId: row.user_id };
    }
    if (row.expired) return { ok: false, reason: 'expired' };
    if (row.family_expired) {
      await revokeFamily(trx, row.family_id);
      return { ok: false, reason: 'family_expired', userId: row.user_id };
    }
    if (!row.is_active || row.is_deleted) {
      // Otherwise re-enabling the account would bring back sessions from before it was disabled.
      await revokeFamily(trx, row.family_id);
      return { ok: false, reason: 'account_unavailable' };
    }
    await trx('refresh_tokens').where({ id: row.id }).update({ used_at: trx.fn.now(), updated_at: trx.fn.now() });
    const refreshToken = await issueRefreshToken(trx, row.user_id, { id: row.family_id, startedAt: row.family_started_at });
    return { ok: true, user: { id: row.user_id, role: row.role, session_version: row.session_version }, refreshToken };
  });
}

/** Ends the session the token belongs to: the token and every rotation of it. Unknown tokens are ignored. */
export async function revokeRefreshTokenFamily(knex: Knex, token: string): Promise<void> {
  await knex('refresh_tokens')
    .whereIn('family_id', knex('refresh_tokens').select('family_id').where('token_hash', hashRefreshToken(token)))
    .whereNull('revoked_at')
    .update({ revoked_at: knex.fn.now(), updated_at: knex.fn.now() });
}
