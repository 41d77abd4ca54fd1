import { Model, raw, type Modifiers, type QueryBuilder } from 'objection';

/**
 * Failed logins of one (e-mail, client address) pair and the time until which it must wait.
 * UNLOGGED and without audit fields, as rate_limits; the row is forgotten at `expires_at`.
 */
export class LoginBackoff extends Model {
  static tableName = 'login_backoff';
  static idColumn = 'key';

  /** A hash of the pair: the table holds neither e-mails nor addresses. */
  key!: string;
  failures!: number;
  blocked_until!: Date | null;
  expires_at!: Date;

  static modifiers: Modifiers<QueryBuilder<LoginBackoff>> = {
    /** Pairs to forget, which the purge deletes. */
    expired(query) {
      query.where('login_backoff.expires_at', '<', raw('now()'));
    },
  };
}
