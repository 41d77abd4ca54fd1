import Router from '@koa/router';
import type { Context } from 'koa';
import { authenticate, createAccount } from '../../accounts/accounts';
import { createLoginBackoff } from '../../accounts/loginBackoff';
import { createPasswordHasher } from '../../accounts/passwords';
import { changePassword, updateProfile } from '../../accounts/profile';
import { clientAddressSubject, createRateLimiter, type RateLimitCheck } from '../../accounts/rateLimit';
import { revokeRefreshTokenFamily, rotateRefreshToken } from '../../accounts/refreshTokens';
import { secretsEqual } from '../../accounts/secrets';
import { startSession, tokenPair, type TokenPair } from '../../accounts/sessions';
import { serializeUser, User } from '../../db/models';
import type { AppDeps } from '../../deps';
import { currentUser, requireAuth, requireRole } from '../../http/auth';
import { ApiError } from '../../http/errors';
import { requestLog } from '../../http/requestId';
import { parseBody } from '../../http/validate';
import { AdminSignupBody, ChangePasswordBody, LoginBody, RefreshTokenBody, StaffAccountBody, UpdateMeBody, UserSignupBody } from './schema';

const invalidRefreshToken = () => new ApiError(401, 'INVALID_REFRESH_TOKEN', 'The refresh token is invalid, expired or revoked');

/** Token answers must not be kept by caches or proxies (RFC 6749, section 5.1). */
function noStore(ctx: Context): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Pragma', 'no-cache');
}

export function authRouter(deps: AppDeps): Router {
  const { knex, config, logger } = deps;
  const router = new Router({ prefix: '/auth' });
  const hasher = createPasswordHasher(config.bcryptRounds);
  const limiter = createRateLimiter(knex, logger);
  const limits = config.rateLimits;
  const backoff = createLoginBackoff(knex, limits.loginBackoff);
  const authenticated = requireAuth(config.jwtSecret, knex);

  const signupChecks = (ctx: Context, email: string): RateLimitCheck[] => [
    { scope: 'signup:address', subject: clientAddressSubject(ctx.ip), rule: limits.signupPerAddress },
    { scope: 'signup:email', subject: email, rule: limits.signupPerEmail },
  ];
  const loginAddressCheck = (ctx: Context): RateLimitCheck => ({ scope: 'login:address', subject: clientAddressSubject(ctx.ip), rule: limits.loginPerAddress });
  const loginEmailCheck = (email: string): RateLimitCheck => ({ scope: 'login:email', subject: email, rule: limits.loginPerEmail });

  function answerSession(ctx: Context, status: number, user: User, tokens: TokenPair): void {
    noStore(ctx);
    ctx.status = status;
    ctx.body = { user: serializeUser(user), ...tokens };
  }

  router.post('/user/signup', async (ctx) => {
    const body = parseBody(ctx, UserSignupBody);
    await limiter.consume(signupChecks(ctx, body.email));
    const { user, tokens } = await createAccount(knex, hasher, body, 'user', async (trx, u) => ({ user: u, tokens: await startSession(trx, u, config.jwtSecret) }));
    answerSession(ctx, 201, user, tokens);
  });

  router.post('/admin/signup', async (ctx) => {
    if (!config.adminSignup) throw new ApiError(403, 'ADMIN_SIGNUP_DISABLED', 'Admin signup is turned off (ADMIN_SIGNUP=off); an existing admin can create accounts');
    const body = parseBody(ctx, AdminSignupBody);
    // Counted before the secret is compared: the address limit is what stops guessing it.
    await limiter.consume(signupChecks(ctx, body.email));
    if (!secretsEqual(body.admin_secret, config.adminRegistrationSecret)) {
      throw new ApiError(403, 'INVALID_ADMIN_SECRET', 'The admin registration secret is incorrect');
    }
    const { user, tokens } = await createAccount(knex, hasher, body, 'admin', async (trx, u) => ({ user: u, tokens: await startSession(trx, u, config.jwtSecret) }));
    requestLog(ctx, logger).info({ userId: user.id }, 'admin account created');
    answerSession(ctx, 201, user, tokens);
  });

  router.post('/login', async (ctx) => {
    const { email, password } = parseBody(ctx, LoginBody);
    const emailCheck = loginEmailCheck(email);
    const address = clientAddressSubject(ctx.ip);
    await limiter.consume([loginAddressCheck(ctx)]);
    // The pair first: attempts it refuses never reach the per-e-mail ceiling, so one address
    // cannot use that ceiling up and lock the owner out everywhere.
    await backoff.begin(email, address);
    await limiter.consume([emailCheck]);
    const user = await authenticate(knex, hasher, email, password);
    // Only failed attempts count against the account: its owner logging in often is fine.
    await Promise.all([limiter.refund(emailCheck), backoff.clear(email, address)]);
    answerSession(ctx, 200, user, await startSession(knex, user, config.jwtSecret));
  });

  router.post('/refresh', async (ctx) => {
    const { refresh_token } = parseBody(ctx, RefreshTokenBody);
    const result = await rotateRefreshToken(knex, refresh_token, config.refreshFamilyMaxAgeDays);
    if (!result.ok) {
      const log = requestLog(ctx, logger);
      if (result.reason === 'reused') log.warn({ userId: result.userId }, 'refresh token reused: its family was revoked');
      if (result.reason === 'family_expired') log.info({ userId: result.userId }, 'refresh token family past REFRESH_FAMILY_MAX_AGE_DAYS: revoked, the user signs in again');
      throw invalidRefreshToken();
    }
    noStore(ctx);
    ctx.body = tokenPair(result.user, result.refreshToken, config.jwtSecret);
  });

  router.post('/logout', async (ctx) => {
    const { refresh_token } = parseBody(ctx, RefreshTokenBody);
    // Unknown or already revoked tokens get the same 204: logging out twice is not an error.
    await revokeRefreshTokenFamily(knex, refresh_token);
    ctx.status = 204;
  });

  router.get('/me', authenticated, async (ctx) => {
    const user = await User.query(knex).findById(currentUser(ctx.state).id);
    if (!user) throw new ApiError(401, 'UNAUTHORIZED', 'Invalid access token');
    ctx.set('Cache-Control', 'no-store');
    ctx.body = serializeUser(user);
  });

  router.patch('/me', authenticated, async (ctx) => {
    const user = await updateProfile(knex, currentUser(ctx.state).id, parseBody(ctx, UpdateMeBody));
    ctx.body = serializeUser(user);
  });

  /** Answers with a fresh token pair for this session: every other session has just ended. */
  router.post('/password', authenticated, async (ctx) => {
    const body = parseBody(ctx, ChangePasswordBody);
    const me = currentUser(ctx.state);
    const address = clientAddressSubject(ctx.ip);
    // The current password is guessable with a stolen access token: the same brake as a login.
    await backoff.begin(me.email, address);
    const { user, tokens } = await changePassword(knex, hasher, me.id, body, config.jwtSecret);
    await backoff.clear(me.email, address);
    requestLog(ctx, logger).info({ userId: me.id }, 'password changed; other sessions ended');
    answerSession(ctx, 200, user, tokens);
  });

  /** Not in API.md's table: staff accounts are made by an admin, never by signing up. */
  router.post('/staff', authenticated, requireRole('admin'), async (ctx) => {
    const body = parseBody(ctx, StaffAccountBody);
    const user = await createAccount(knex, hasher, body, 'staff', async (_trx, u) => u);
    requestLog(ctx, logger).info({ userId: user.id, createdBy: currentUser(ctx.state).id }, 'staff account created');
    ctx.status = 201;
    ctx.body = serializeUser(user);
  });

  return router;
}
