import { z } from 'zod';
import { fromCents, toCents } from '../../money';
import { isStorableText, STORABLE_TEXT_MESSAGE } from '../../http/validate';

/** Zod pieces shared by the catalog schemas. */

const MONEY_INPUT = /^-?\d{1,6}(\.\d{1,2})?$/;

/**
 * A money amount as API.md wants it: a decimal string with at most two places ("12.5" is
 * accepted and normalised to "12.50"). JSON numbers are refused so a float never sneaks in.
 */
export function moneyString(minCents: number, maxCents: number) {
  const range = `between ${fromCents(minCents)} and ${fromCents(maxCents)}`;
  return z
    .string({ error: 'must be a decimal string such as "12.50"' })
    .regex(MONEY_INPUT, 'must be a decimal string with at most two decimal places, such as "12.50"')
    .refine((v) => {
      // Zod runs this check even when the pattern check above failed; that issue suffices.
      if (!MONEY_INPUT.test(v)) return true;
      const cents = toCents(v);
      return cents >= minCents && cents <= maxCents;
    }, `must be ${range}`)
    .transform((v) => fromCents(toCents(v)));
}

// A `+` in a query string arrives as a space unless the client encoded it as %2B; take it back.
const UNENCODED_PLUS_OFFSET = /(T[\d:.]+) (\d{2}:\d{2})$/;

/** An ISO 8601 date-time with an offset (`Z` or `+01:00`), as a Date. */
export const OffsetDateTime = z
  .string({ error: 'must be an ISO 8601 date-time with offset, such as "2026-01-31T19:30:00+01:00"' })
  .transform((v) => v.replace(UNENCODED_PLUS_OFFSET, '$1+$2'))
  .pipe(z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with offset, such as "2026-01-31T19:30:00+01:00"' }))
  .transform((v) => new Date(v));

// Postgres text cannot hold NUL, and an unpaired surrogate would be stored as U+FFFD: refused with a 422.
const NO_NUL = [isStorableText, STORABLE_TEXT_MESSAGE] as const;

/** Trimmed text of bounded length. */
export const text = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine(...NO_NUL);

/** An http(s) URL that Postgres can store. */
export const httpUrl = (max: number) =>
  z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .max(max, `must be at most ${max} characters`)
    .refine(...NO_NUL);

/** An optional text field that may also be sent as null (clears it on PATCH). */
export const optionalText = (max: number) => text(max).nullable().optional();

/** PATCH bodies must change something: an empty object is almost always a mistyped field name. */
export const notEmpty = (body: Record<string, unknown>) => Object.values(body).some((v) => v !== undefined);
export const NOT_EMPTY_MESSAGE = 'send at least one field to change';
