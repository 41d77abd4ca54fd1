import { raw, type Modifiers, type QueryBuilder, type RelationMappings } from 'objection';
import { BaseModel } from './BaseModel';
import { User } from './User';

/** One refresh token of a family (a login's chain of rotations); only its SHA-256 is stored. */
export class RefreshToken extends BaseModel {
  static tableName = 'refresh_tokens';

  id!: number;
  user_id!: number;
  token_hash!: string;
  family_id!: string;
  /** When the family's login happened; every rotation carries it. */
  family_started_at!: Date;
  expires_at!: Date;
  /** Rotated: presenting it again is a reuse. */
  used_at!: Date | null;
  revoked_at!: Date | null;
  user?: User;

  static modifiers: Modifiers<QueryBuilder<BaseModel>> = {
    ...BaseModel.modifiers,
    unrevoked(query) {
      query.whereNull('refresh_tokens.revoked_at');
    },
    /** Tokens that can no longer be used (expired or revoked), which the purge deletes. */
    stale(query) {
      query.where((q) => {
        q.where('refresh_tokens.expires_at', '<', raw('now()')).orWhereNotNull('refresh_tokens.revoked_at');
      });
    },
  };

  static relationMappings = (): RelationMappings => ({
    user: {
      relation: BaseModel.BelongsToOneRelation,
      modelClass: User,
      join: { from: 'refresh_tokens.user_id', to: 'users.id' },
    },
  });
}
