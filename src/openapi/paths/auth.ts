import {
  AdminSignupBody,
  ChangePasswordBody,
  LoginBody,
  RefreshTokenBody,
  SessionResponse,
  StaffAccountBody,
  TokenPairResponse,
  UpdateMeBody,
  UserResponse,
  UserSignupBody,
} from '../../routes/auth/schema';
import { named } from '../common';
import type { RouteDoc } from '../types';

const Session = named('Session', SessionResponse);
const User = named('User', UserResponse);
const NO_STORE = { 'Cache-Control': '`no-store`: tokens must not be cached' };
const VALIDATION = { status: 422, codes: { VALIDATION_ERROR: 'A field is missing or invalid' } };
const RATE_LIMITED = { status: 429, codes: { RATE_LIMITED: 'Too many attempts from this address or for this e-mail; see Retry-After' } };
const SIGNUP = { name: 'Ada Lovelace', email: 'ada@example.com', password: 'correct horse battery' };

export const authRoutes: RouteDoc[] = [
  {
    method: 'POST',
    path: '/api/v1/auth/user/signup',
    operationId: 'signupUser',
    summary: 'Create a customer account and sign in',
    tag: 'auth',
    auth: 'none',
    body: { schema: named('UserSignupRequest', UserSignupBody), examples: { customer: { summary: 'A new customer', value: SIGNUP } } },
    responses: [{ status: 201, description: 'The account and a token pair', schema: Session, headers: NO_STORE }],
    errors: [{ status: 409, codes: { EMAIL_TAKEN: 'An account with this e-mail exists' } }, VALIDATION, RATE_LIMITED],
  },
  {
    method: 'POST',
    path: '/api/v1/auth/admin/signup',
    operationId: 'signupAdmin',
    summary: 'Create an admin account (needs the admin registration secret)',
    tag: 'auth',
    auth: 'none',
    body: {
      schema: named('AdminSignupRequest', AdminSignupBody),
      examples: { admin: { summary: 'An admin', value: { ...SIGNUP, email: 'admin@example.com', admin_secret: 'the ADMIN_REGISTRATION_SECRET' } } },
    },
    responses: [{ status: 201, description: 'The admin account and a token pair', schema: Session, headers: NO_STORE }],
    errors: [
      {
        status: 403,
        codes: {
          INVALID_ADMIN_SECRET: 'admin_secret is not the configured ADMIN_REGISTRATION_SECRET',
          ADMIN_SIGNUP_DISABLED: 'Admin signup is turned off (ADMIN_SIGNUP=off); answered before the body is read',
        },
      },
      { status: 409, codes: { EMAIL_TAKEN: 'An account with this e-mail exists' } },
      VALIDATION,
      RATE_LIMITED,
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/auth/login',
    operationId: 'login',
    summary: 'Sign in with e-mail and password',
    tag: 'auth',
    auth: 'none',
    body: { schema: named('LoginRequest', LoginBody), examples: { login: { summary: 'E-mail and password', value: { email: SIGNUP.email, password: SIGNUP.password } } } },
    responses: [{ status: 200, description: 'The account and a fresh token pair', schema: Session, headers: NO_STORE }],
    errors: [
      { status: 401, codes: { INVALID_CREDENTIALS: 'Unknown e-mail or wrong password' } },
      { status: 403, codes: { ACCOUNT_DISABLED: 'The account was deactivated' } },
      VALIDATION,
      {
        status: 429,
        codes: {
          RATE_LIMITED:
            'Too many failed logins for this e-mail from this address (each failure past the first few doubles the wait), ' +
            'for this e-mail from all addresses, or from this address; see Retry-After',
        },
      },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/auth/refresh',
    operationId: 'refreshTokens',
    summary: 'Trade a refresh token for a new pair (rotation)',
    description: 'Every refresh token works once. Presenting one that was already rotated revokes its whole family: sign in again.',
    tag: 'auth',
    auth: 'none',
    body: { schema: named('RefreshTokenRequest', RefreshTokenBody), examples: { refresh: { summary: 'The refresh token from the last sign-in or refresh', value: { refresh_token: 'rt_2f1c...' } } } },
    responses: [{ status: 200, description: 'A new token pair; the old refresh token is spent', schema: named('TokenPair', TokenPairResponse), headers: NO_STORE }],
    errors: [
      {
        status: 401,
        codes: { INVALID_REFRESH_TOKEN: 'Unknown, expired, revoked or already used, or its login is older than REFRESH_FAMILY_MAX_AGE_DAYS (sign in again)' },
      },
      VALIDATION,
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/auth/logout',
    operationId: 'logout',
    summary: 'Revoke a refresh token and its family',
    description: 'Unknown or already revoked tokens get the same 204.',
    tag: 'auth',
    auth: 'none',
    body: { schema: named('RefreshTokenRequest', RefreshTokenBody), examples: { logout: { summary: 'The refresh token to revoke', value: { refresh_token: 'rt_2f1c...' } } } },
    responses: [{ status: 204, description: 'Signed out' }],
    errors: [VALIDATION],
  },
  {
    method: 'GET',
    path: '/api/v1/auth/me',
    operationId: 'getMe',
    summary: 'The signed-in user',
    tag: 'auth',
    auth: 'bearer',
    responses: [{ status: 200, description: 'The caller', schema: User }],
  },
  {
    method: 'PATCH',
    path: '/api/v1/auth/me',
    operationId: 'updateMe',
    summary: 'Change your own name or phone',
    description: 'E-mail and role cannot be changed here. `phone: null` clears the phone.',
    tag: 'auth',
    auth: 'bearer',
    body: {
      schema: named('UpdateMeRequest', UpdateMeBody),
      examples: {
        both: { summary: 'A new name and phone', value: { name: 'Ada King', phone: '+44 20 7946 0958' } },
        clearPhone: { summary: 'Remove the phone', value: { phone: null } },
      },
    },
    responses: [{ status: 200, description: 'The caller as they are now', schema: User }],
    errors: [VALIDATION],
  },
  {
    method: 'POST',
    path: '/api/v1/auth/password',
    operationId: 'changePassword',
    summary: 'Change your password; every other session ends',
    description:
      'Every refresh token of the account is revoked and every access token issued before the change stops working; ' +
      'the answer carries a fresh token pair for the session that asked. Wrong current passwords are slowed down like failed logins.',
    tag: 'auth',
    auth: 'bearer',
    body: {
      schema: named('ChangePasswordRequest', ChangePasswordBody),
      examples: { change: { summary: 'The current password and the new one', value: { current_password: SIGNUP.password, new_password: 'a new long passphrase' } } },
    },
    responses: [{ status: 200, description: 'The account and a fresh token pair', schema: Session, headers: NO_STORE }],
    errors: [
      { status: 403, codes: { INVALID_CURRENT_PASSWORD: 'current_password is not the account\'s password' } },
      VALIDATION,
      { status: 429, codes: { RATE_LIMITED: 'Too many wrong current passwords from this address; see Retry-After' } },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/auth/staff',
    operationId: 'createStaff',
    summary: 'Create a staff account (admin)',
    description: 'Not in API.md: staff accounts are made by an admin, never by signing up. Staff see every reservation but cannot cancel other users\' bookings.',
    tag: 'auth',
    auth: { roles: ['admin'] },
    body: { schema: named('StaffAccountRequest', StaffAccountBody), examples: { staff: { summary: 'A box-office clerk', value: { ...SIGNUP, email: 'clerk@example.com' } } } },
    responses: [{ status: 201, description: 'The staff account', schema: User }],
    errors: [{ status: 409, codes: { EMAIL_TAKEN: 'An account with this e-mail exists' } }, VALIDATION],
  },
];
