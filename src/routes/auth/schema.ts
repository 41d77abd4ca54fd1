import { z } from 'zod';
import { MAX_PASSWORD_BYTES, passwordByteLength } from '../../accounts/passwords';
import { isStorableText, STORABLE_TEXT_MESSAGE } from '../../http/validate';

const required = (expected: string) => ({
  error: (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : `must be ${expected}`),
});

/** Stored trimmed and lower-cased: addresses are matched case-insensitively. */
export const Email = z
  .string(required('a string'))
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: 'must be a valid email address' }).max(254, 'must be at most 254 characters'));

/** 8..72 characters, and at most 72 bytes, since bcrypt ignores anything past that. */
export const NewPassword = z
  .string(required('a string'))
  .min(8, 'must be at least 8 characters')
  .max(72, 'must be at most 72 characters')
  .refine((p) => p.length > 72 || passwordByteLength(p) <= MAX_PASSWORD_BYTES, `must be at most ${MAX_PASSWORD_BYTES} bytes in UTF-8`);

export const Name = z
  .string(required('a string'))
  .trim()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .refine(isStorableText, STORABLE_TEXT_MESSAGE);

/** A `role` or any other unknown field is dropped: accounts made here are always plain users. */
export const UserSignupBody = z.object({ name: Name, email: Email, password: NewPassword });

export const AdminSignupBody = UserSignupBody.extend({
  admin_secret: z.string(required('a string')).min(1, 'is required').max(1024, 'is too long'),
});

/** Login does not restate the password rules: accounts made under older rules can still log in. */
export const LoginBody = z.object({
  email: Email,
  password: z.string(required('a string')).min(1, 'is required').max(1024, 'is too long'),
});

export const RefreshTokenBody = z.object({
  refresh_token: z.string(required('a string')).min(1, 'is required').max(1024, 'is too long'),
});

/** An admin creating a staff account; staff then log in with these credentials. */
export const StaffAccountBody = UserSignupBody;

export const UserRoleValue = z.enum(['user', 'admin', 'staff']);

/** Response shapes, for the OpenAPI document. */
export const UserResponse = z.object({
  id: z.number().int(),
  name: z.string(),
  email: z.string(),
  role: UserRoleValue,
  phone: z.string().nullable(),
  is_active: z.boolean(),
  created_at: z.iso.datetime({ offset: true }),
});

export const TokenPairResponse = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal('bearer'),
});

export const SessionResponse = TokenPairResponse.extend({ user: UserResponse });

/** Digits with the usual separators and an optional leading +; null clears it. */
const Phone = z
  .string({ error: 'must be a string or null' })
  .trim()
  .regex(/^\+?[0-9][0-9 ().-]{2,31}$/, 'must be a phone number: digits, spaces, ( ) . - and an optional leading +')
  .nullable();

/** What users may change about themselves (PATCH /auth/me). */
export const UpdateMeBody = z
  .object({ name: Name.optional(), phone: Phone.optional() })
  .refine((b) => b.name !== undefined || b.phone !== undefined, 'send at least one field to change');

export const ChangePasswordBody = z.object({
  current_password: z.string(required('a string')).min(1, 'is required').max(1024, 'is too long'),
  new_password: NewPassword,
});
