import { IdParams } from '../../http/ids';
import { UserResponse } from '../../routes/auth/schema';
import { ListUsersQuery, UpdateUserBody } from '../../routes/users/schema';
import { named, pageOf } from '../common';
import type { RouteDoc } from '../types';

const ADMIN = { roles: ['admin'] } as const;
const VALIDATION = { status: 422, codes: { VALIDATION_ERROR: 'A parameter or field is invalid' } };

export const userRoutes: RouteDoc[] = [
  {
    method: 'GET',
    path: '/api/v1/users',
    operationId: 'listUsers',
    summary: 'List and search accounts (admin)',
    description: 'Ordered by id. Deleted accounts are not listed.',
    tag: 'users',
    auth: ADMIN,
    query: ListUsersQuery,
    paramDescriptions: {
      q: 'Case-insensitive search in the name and the e-mail',
      role: 'Only accounts with this role',
      is_active: '`true`: enabled accounts only; `false`: disabled ones only',
    },
    responses: [{ status: 200, description: 'A page of accounts', schema: pageOf('UserPage', UserResponse), headers: { 'Cache-Control': '`no-store`' } }],
    errors: [VALIDATION],
  },
  {
    method: 'PATCH',
    path: '/api/v1/users/:id',
    operationId: 'updateUser',
    summary: 'Disable or enable an account, or change its role (admin)',
    description:
      'Disabling ends the account\'s sessions at once: its access tokens answer 403 `ACCOUNT_DISABLED`, and its refresh tokens are revoked ' +
      '(enabling it again does not bring them back: the user signs in again). A role change applies to the next request.',
    tag: 'users',
    auth: ADMIN,
    params: IdParams,
    paramDescriptions: { id: 'User id' },
    body: {
      schema: named('UpdateUserRequest', UpdateUserBody),
      examples: {
        disable: { summary: 'Disable an account', value: { is_active: false } },
        promote: { summary: 'Make a user staff', value: { role: 'staff' } },
      },
    },
    responses: [{ status: 200, description: 'The account as it is now', schema: named('User', UserResponse) }],
    errors: [
      { status: 404, codes: { USER_NOT_FOUND: 'No such account, or it was deleted' } },
      { status: 409, codes: { CANNOT_CHANGE_OWN_ACCOUNT: 'Admins cannot disable their own account or take away their own admin role' } },
      VALIDATION,
    ],
  },
];
