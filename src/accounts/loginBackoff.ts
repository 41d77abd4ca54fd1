import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { LoginBackoffRule } from '../config';
import { LoginBackoff as LoginBackoffModel } from '../db/models';
import { rateLimited } from './rateLimit';

/** A pair that stops failing is forgotten after this long, so last month's typos cost nothing. */
const FORGET_AFTER_SECONDS = 24 * 60 * 60;

export interface LoginBackoff {
  /**
   * Throws 429 while this (e-mail, address) pair waits out its backoff; otherwise counts the
   * attempt as a failure up front (so parallel guesses cannot slip past) and sets the next wait.
   */
  begin(email: string, addressSubject: string): Promise<void>;
  /** A successful login: the pair starts afresh. */
  clear(email: string, addressSubject: string): Promise<void>;
}

/** Hashed, as in rate_limits: the table holds neither e-mails nor addresses. */
const keyOf = (email: string, addressSubject: string): string =>
  createHash('sha256').update(`${email}\n${addressSubject}`, 'utf8').digest('hex').slice(0, 32);

/** The wait after `failures` failures: none for the free ones, then base, 2 x base, ... up to max. */
export function backoffSeconds(rule: LoginBackoffRule, failures: number): number {
  if (rule.freeFailures <= 0 || failures < rule.freeFailures) return 0;
  return Math.min(rule.maxSeconds, rule.baseSeconds * 2 ** Math.min(30, failures - rule.freeFailures));
}

/**
 * Failed logins per (e-mail, client address) with a doubling wait, shared through Postgres. It
 * slows a guesser at their own address and leaves the account's owner, elsewhere, alone; the
 * per-e-mail ceiling (rate_limits) catches guessing spread over many addresses.
 */
export function createLoginBackoff(knex: Knex, rule: LoginBackoffRule): LoginBackoff {
  return {
    async begin(email, addressSubject) {
      if (rule.freeFailures <= 0) return;
      const key = keyOf(email, addressSubject);
      await LoginBackoffModel.transaction(knex, async (trx) => {
        await LoginBackoffModel.query(trx).insert({ key, failures: 0, expires_at: trx.fn.now() }).onConflict('key').ignore();
        // Judged by the database clock, as every API process shares it; the row lock serializes the pair's attempts.
        const row = await LoginBackoffModel.query(trx)
          .findById(key)
          .forUpdate()
          .select('failures', trx.raw('expires_at <= now() AS stale'), trx.raw('coalesce(ceil(extract(epoch FROM blocked_until - now())), 0)::int AS wait'))
          .castTo<Pick<LoginBackoffModel, 'failures'> & { stale: boolean; wait: number }>();
        if (!row.stale && row.wait > 0) throw rateLimited(row.wait);
        const failures = row.stale ? 1 : row.failures + 1;
        const wait = backoffSeconds(rule, failures);
        await LoginBackoffModel.query(trx)
          .findById(key)
          .patch({
            failures,
            blocked_until: wait > 0 ? trx.raw('now() + make_interval(secs => ?)', [wait]) : null,
            expires_at: trx.raw('now() + make_interval(secs => ?)', [FORGET_AFTER_SECONDS + wait]),
          });
      });
    },

    async clear(email, addressSubject) {
      if (rule.freeFailures <= 0) return;
      await LoginBackoffModel.query(knex).deleteById(keyOf(email, addressSubject));
    },
  };
}
