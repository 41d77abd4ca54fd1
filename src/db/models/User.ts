import { BaseModel } from './BaseModel';

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
