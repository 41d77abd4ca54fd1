import jwt from 'jsonwebtoken';
import type { UserRole } from '../db/models';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

export interface AccessTokenClaims {
  sub: string;
  role: UserRole;
  type: 'access';
}

/** Signs a 15-minute HS256 access token. */
export function signAccessToken(user: { id: number; role: UserRole }, secret: string): string {
  const claims: AccessTokenClaims = { sub: String(user.id), role: user.role, type: 'access' };
  return jwt.sign(claims, secret, { algorithm: 'HS256', expiresIn: ACCESS_TOKEN_TTL_SECONDS });
}
