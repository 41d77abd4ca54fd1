import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { Knex } from 'knex';
import type { RateLimitRule } from '../config';
import { RateLimit } from '../db/models';
import { ApiError } from '../http/errors';
import type { Logger } from '../logger';

/** One counter: what is limited (`scope`), for whom (`subject`) and how much. */
export interface RateLimitCheck {
  scope: string;
  subject: string;
  rule: RateLimitRule;
}

export interface RateLimiter {
  /**
   * Counts one attempt against each check, in order, and throws 429 RATE_LIMITED at the first
   * one over its limit. Counting happens before the work, so parallel attempts cannot slip
   * through between a read and a write.
   */
  consume(checks: RateLimitCheck[]): Promise<void>;
  /** Gives an attempt back, e.g. a login that succeeded, so only failures use up the budget. */
  refund(check: RateLimitCheck): Promise<void>;
}

const CLEANUP_INTERVAL_MS = 60_000;
const CLEANUP_BATCH = 1000;

/**
 * The subject is hashed so the table holds no emails or addresses. The window is part of the
 * key so that changing it starts fresh counters instead of reading an hour-long count as a
 * minute-long one.
 */
function keyOf({ scope, subject, rule }: RateLimitCheck): string {
  const digest = createHash('sha256').update(subject, 'utf8').digest('hex').slice(0, 32);
  return `${scope}:${rule.windowSeconds}s:${digest}`;
}

export const rateLimited = (retryAfterSeconds: number) =>
  new ApiError(429, 'RATE_LIMITED', `Too many attempts; retry in ${retryAfterSeconds} seconds`, {}, { 'Retry-After': String(retryAfterSeconds) });

/**
 * Fixed-window counters in Postgres, shared by every API process. A window opens at the first
 * attempt and lasts `windowSeconds`; times come from the database clock so processes with
 * skewed clocks agree.
 */
export function createRateLimiter(knex: Knex, logger: Logger): RateLimiter {
  let lastCleanup = 0;

  async function removeExpired(): Promise<void> {
    if (Date.now() - lastCleanup < CLEANUP_INTERVAL_MS) return;
    lastCleanup = Date.now();
    try {
      await RateLimit.query(knex)
        .whereIn('key', RateLimit.query(knex).modify('expired').select('key').limit(CLEANUP_BATCH).forUpdate().skipLocked())
        .delete();
    } catch (err) {
      // Leftover rows only cost space; the attempt being counted matters more.
      logger.warn({ err }, 'rate limit cleanup failed');
    }
  }

  async function hit(check: RateLimitCheck): Promise<{ hits: number; retryAfter: number }> {
    // Raw: one set-based upsert that restarts an expired window and returns the time left; Objection cannot say it.
    const { rows } = await knex.raw<{ rows: { hits: number; retry_after: number }[] }>(
      `INSERT INTO rate_limits AS r (key, hits, expires_at)
       VALUES (?, 1, now() + make_interval(secs => ?))
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN r.expires_at <= now() THEN 1 ELSE r.hits + 1 END,
         expires_at = CASE WHEN r.expires_at <= now() THEN excluded.expires_at ELSE r.expires_at END
       RETURNING r.hits, greatest(1, ceil(extract(epoch FROM r.expires_at - now())))::int AS retry_after`,
      [keyOf(check), check.rule.windowSeconds],
    );
    return { hits: rows[0].hits, retryAfter: rows[0].retry_after };
  }

  return {
    async consume(checks) {
      await removeExpired();
      for (const check of checks) {
        if (check.rule.max <= 0) continue;
        const { hits, retryAfter } = await hit(check);
        if (hits > check.rule.max) throw rateLimited(retryAfter);
      }
    },

    async refund(check) {
      if (check.rule.max <= 0) return;
      await RateLimit.query(knex)
        .findById(keyOf(check))
        .modify('current')
        .where('hits', '>', 0)
        .decrement('hits', 1);
    },
  };
}

/**
 * The subject for per-address limits. IPv6 clients usually hold a whole /64, so they are
 * counted per /64; IPv4-mapped IPv6 addresses count as the IPv4 address they carry.
 */
export function clientAddressSubject(ip: string): string {
  const address = ip.split('%')[0];
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (isIP(address) !== 6) return address;
  return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`;
}

function ipv6Groups(address: string): string[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  if (tail === undefined) return headGroups.map((g) => parseInt(g, 16).toString(16));
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = Array.from({ length: 8 - headGroups.length - tailGroups.length }, () => '0');
  return [...headGroups, ...zeros, ...tailGroups].map((g) => parseInt(g, 16).toString(16));
}
