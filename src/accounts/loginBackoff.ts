import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type { LoginBackoffRule } from '../config';
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
      await knex.transaction(async (trx) => {
        await trx.raw('INSERT INTO login_backoff (key, failures, expires_at) VALUES (?, 0, now()) ON CONFLICT (key) DO NOTHING', [key]);
        const { rows } = await trx.raw<{ rows: { failures: number; stale: boolean; wait: number }[] }>(
          `SELECT failures, expires_at <= now() AS stale,
                  coalesce(ceil(extract(epoch FROM blocked_until - now())), 0)::int AS wait
           FROM login_backoff WHERE key = ? FOR UPDATE`,
          [key],
        );
        const row = rows[0];
        if (!row.stale && row.wait > 0) throw rateLimited(row.wait);
        const failures = row.stale ? 1 : row.failures + 1;
        const wait = backoffSeconds(rule, failures);
        await trx.raw(
          `UPDATE login_backoff SET failures = ?,
             blocked_until = CASE WHEN ? > 0 THEN now() + make_interval(secs => ?) END,
             expires_at = now() + make_interval(secs => ?)
           WHERE key = ?`,
          [failures, wait, wait, FORGET_AFTER_SECONDS + wait, key],
        );
      });
    },

    async clear(email, addressSubject) {
      if (rule.freeFailures <= 0) return;
      await knex('login_backoff').where({ key: keyOf(email, addressSubject) }).delete();
    },
  };
}
