import jwt from 'jsonwebtoken';
import type { UserRole } from '../db/models';

/** Whom a token is for; `session_version` defaults to 0, the column's default. */
export interface SessionUser {
  id: number;
  role: UserRole;
  session_version?: number;
}

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

export interface AccessTokenClaims {
  sub: string;
  role: UserRole;
  type: 'access';
  /** The user's session_version when it was issued (absent on tokens from before it existed). */
  sv?: number;
}

/** Signs a 15-minute HS256 access token. */
export function signAccessToken(user: SessionUser, secret: string): string {
  const claims: AccessTokenClaims = { sub: String(user.id), role: user.role, type: 'access', sv: user.session_version ?? 0 };
  return jwt.sign(claims, secret, { algorithm: 'HS256', expiresIn: ACCESS_TOKEN_TTL_SECONDS });
}
