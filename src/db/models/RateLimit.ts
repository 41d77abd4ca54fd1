import { Model, raw, type Modifiers, type QueryBuilder } from 'objection';

/**
 * A fixed-window counter shared by every API process (login and signup limits). No audit fields:
 * the table is UNLOGGED throw-away state, and a row is deleted once its window has passed.
 */
export class RateLimit extends Model {
  static tableName = 'rate_limits';
  static idColumn = 'key';

  /** `<scope>:<window>s:<hashed subject>`: the table holds no e-mails or addresses. */
  key!: string;
  hits!: number;
  expires_at!: Date;

  static modifiers: Modifiers<QueryBuilder<RateLimit>> = {
    /** Windows that have passed, which the purge deletes. */
    expired(query) {
      query.where('rate_limits.expires_at', '<', raw('now()'));
    },
    /** The window still running. */
    current(query) {
      query.where('rate_limits.expires_at', '>', raw('now()'));
    },
  };
}
