import { z } from 'zod';
import { PaginationQuery } from '../../http/pagination';
import { NOT_EMPTY_MESSAGE, notEmpty, text } from '../catalog/fields';
import { UserRoleValue } from '../auth/schema';

// An empty search box sends `?q=`; that means "no filter", not a validation error.
const blankAsAbsent = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const ListUsersQuery = PaginationQuery.extend({
  q: z.preprocess(blankAsAbsent, text(100).optional()),
  role: z.preprocess(blankAsAbsent, UserRoleValue.optional()),
  is_active: z.preprocess(blankAsAbsent, z.enum(['true', 'false'], { error: 'must be true or false' }).optional()),
});

/** What an admin may change about an account; e-mail, name and password stay the owner's. */
export const UpdateUserBody = z
  .object({
    is_active: z.boolean({ error: 'must be true or false' }).optional(),
    role: UserRoleValue.optional(),
  })
  .refine(notEmpty, NOT_EMPTY_MESSAGE);
