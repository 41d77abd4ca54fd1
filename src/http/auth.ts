import type { Middleware } from 'koa';
import compose from 'koa-compose';
import koaJwt from 'koa-jwt';
import type { AccessTokenClaims } from '../auth/accessTokens';
import { User, type UserRole } from '../db/models';
import { ApiError } from './errors';

/** The caller, as routes see it in `ctx.state.user`. */
export interface AuthUser {
  id: number;
  role: UserRole;
  email: string;
  name: string;
}

declare module 'koa' {
  interface DefaultState {
    user?: AuthUser;
    jwt?: AccessTokenClaims;
  }
}

const unauthorized = (detail = 'Authentication required') => new ApiError(401, 'UNAUTHORIZED', detail, {}, { 'WWW-Authenticate': 'Bearer' });

/**
 * Verifies the bearer access token (HS256 only) and loads the user, so a deactivated or
 * deleted account loses access at once even with a token that has not expired.
 */
export function requireAuth(jwtSecret: string): Middleware {
  const verify = koaJwt({ secret: jwtSecret, algorithms: ['HS256'], key: 'jwt' });
  const loadUser: Middleware = async (ctx, next) => {
    const claims = ctx.state.jwt;
    const id = Number(claims?.sub);
    if (!claims || claims.type !== 'access' || !Number.isSafeInteger(id) || id <= 0) throw unauthorized('Invalid access token');
    const user = await User.query().findById(id).select('id', 'role', 'email', 'name', 'is_active', 'is_deleted');
    if (!user || user.is_deleted) throw unauthorized('Invalid access token');
    if (!user.is_active) throw new ApiError(403, 'ACCOUNT_DISABLED', 'This account is disabled');
    ctx.state.user = { id: user.id, role: user.role, email: user.email, name: user.name };
    await next();
  };
  const translate: Middleware = async (_ctx, next) => {
    try {
      await next();
    } catch (err) {
      // koa-jwt throws plain 401s; give them API.md's shape.
      if ((err as { status?: number }).status === 401 && !(err instanceof ApiError)) throw unauthorized((err as Error).message === 'Authentication Error' ? 'Invalid access token' : 'Authentication required');
      throw err;
    }
  };
  return compose([translate, verify, loadUser]);
}

/** Lets the request through only for the given roles (after requireAuth). */
export function requireRole(...roles: UserRole[]): Middleware {
  return async (ctx, next) => {
    const user = ctx.state.user;
    if (!user) throw unauthorized();
    if (!roles.includes(user.role)) throw new ApiError(403, 'FORBIDDEN', 'You do not have permission to do this');
    await next();
  };
}

/** The authenticated user; only for handlers mounted behind requireAuth. */
export function currentUser(state: { user?: AuthUser }): AuthUser {
  if (!state.user) throw unauthorized();
  return state.user;
}
