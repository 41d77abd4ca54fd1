import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { RefreshToken, type User } from '../db/models';

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
  await RefreshToken.query(db).insert({
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
  | { ok: true; user: Pick<User, 'id' | 'role' | 'session_version'>; refreshToken: string }
  | { ok: false; reason: RotationFailure; userId?: number };

/** A presented token with what decides its rotation: its times, judged by the database clock, and its user's standing. */
type PresentedToken = Pick<RefreshToken, 'id' | 'user_id' | 'family_id' | 'family_started_at' | 'used_at' | 'revoked_at'> &
  Pick<User, 'role' | 'is_active' | 'is_deleted' | 'session_version'> & { expired: boolean; family_expired: boolean };

async function revokeFamily(db: Db, familyId: string): Promise<void> {
  await RefreshToken.query(db).where({ family_id: familyId }).modify('unrevoked').patch({ revoked_at: db.fn.now(), updated_at: db.fn.now() });
}

/**
 * Trades a refresh token for a new one of the same family (rotation). Presenting a token that
 * was already rotated means two parties hold it, so the whole family is revoked (OAuth 2.0
 * Security BCP, section 4.14). The row lock makes two concurrent uses of one token count as a
 * reuse rather than both succeeding. A family older than `familyMaxAgeDays` rotates no more: the
 * user signs in again.
 */
export async function rotateRefreshToken(knex: Knex, token: string, familyMaxAgeDays: number): Promise<RotationResult> {
  return RefreshToken.transaction(knex, async (trx) => {
    const row = await RefreshToken.query(trx)
      .joinRelated('user')
      .where('refresh_tokens.token_hash', hashRefreshToken(token))
      // FOR UPDATE OF the token row only (Objection's typings omit the tables knex takes): a second use waits here.
      .modify((q: { forUpdate(...tables: string[]): unknown }) => q.forUpdate('refresh_tokens'))
      .select(
        'refresh_tokens.id',
        'refresh_tokens.user_id',
        'refresh_tokens.family_id',
        'refresh_tokens.family_started_at',
        'refresh_tokens.used_at',
        'refresh_tokens.revoked_at',
        trx.raw('refresh_tokens.expires_at <= now() AS expired'),
        trx.raw('refresh_tokens.family_started_at + make_interval(days => ?) <= now() AS family_expired', [familyMaxAgeDays]),
        'user.role',
        'user.is_active',
        'user.is_deleted',
        'user.session_version',
      )
      .first()
      .castTo<PresentedToken | undefined>();
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
    await RefreshToken.query(trx).findById(row.id).patch({ used_at: trx.fn.now(), updated_at: trx.fn.now() });
    const refreshToken = await issueRefreshToken(trx, row.user_id, { id: row.family_id, startedAt: row.family_started_at });
    return { ok: true, user: { id: row.user_id, role: row.role, session_version: row.session_version }, refreshToken };
  });
}

/** Ends the session the token belongs to: the token and every rotation of it. Unknown tokens are ignored. */
export async function revokeRefreshTokenFamily(knex: Knex, token: string): Promise<void> {
  await RefreshToken.query(knex)
    .whereIn('family_id', RefreshToken.query(knex).select('family_id').where('token_hash', hashRefreshToken(token)))
    .modify('unrevoked')
    .patch({ revoked_at: knex.fn.now(), updated_at: knex.fn.now() });
}
