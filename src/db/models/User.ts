import type { RelationMappings } from 'objection';
import { BaseModel } from './BaseModel';
import { RefreshToken } from './RefreshToken';
import { Reservation } from './Reservation';

export type UserRole = 'user' | 'staff' | 'admin';

export class User extends BaseModel {
  static tableName = 'users';

  id!: number;
  name!: string;
  email!: string;
  password_hash!: string;
  role!: UserRole;
  phone!: string | null;
  is_active!: boolean;
  /** Access tokens carry the version they were issued under; raising it ends every session. */
  session_version!: number;
  refreshTokens?: RefreshToken[];
  reservations?: Reservation[];

  static relationMappings = (): RelationMappings => ({
    refreshTokens: {
      relation: BaseModel.HasManyRelation,
      modelClass: RefreshToken,
      join: { from: 'users.id', to: 'refresh_tokens.user_id' },
    },
    reservations: {
      relation: BaseModel.HasManyRelation,
      modelClass: Reservation,
      join: { from: 'users.id', to: 'reservations.user_id' },
    },
  });
}

/** The public view of a user: never the password hash. */
export function serializeUser(u: User) {
  return {
    id: u.id,
    name: u.name,
    email: u.email,
    role: u.role,
    phone: u.phone,
    is_active: u.is_active,
    created_at: u.created_at.toISOString(),
  };
}
