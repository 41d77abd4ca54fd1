import type { Knex } from 'knex';
import { signAccessToken, type SessionUser } from './accessTokens';
import { issueRefreshToken } from './refreshTokens';

/** The token part of every login, signup and refresh answer. */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
}

export const tokenPair = (user: SessionUser, refreshToken: string, jwtSecret: string): TokenPair => ({
  access_token: signAccessToken(user, jwtSecret),
  refresh_token: refreshToken,
  token_type: 'bearer',
});

/** Starts a new session (a new refresh token family) for a user who just proved who they are. */
export async function startSession(db: Knex | Knex.Transaction, user: SessionUser, jwtSecret: string): Promise<TokenPair> {
  return tokenPair(user, await issueRefreshToken(db, user.id), jwtSecret);
}
