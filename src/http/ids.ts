import { z } from 'zod';

const INT4_MAX = 2_147_483_647;

/**
 * A whole number written in a path segment or a query string: plain decimal digits and nothing
 * else. `1e3`, `0x10`, ` 7`, `+7`, `7.0` and `7abc` are refused rather than read as numbers
 * (z.coerce would take the first three as 1000, 16 and 7), and a parameter given twice
 * (`?page=1&page=2`, which arrives as an array) is named as such instead of "received NaN".
 *
 * A pipe of a string into a number, without a preprocess step, so the schema still converts to
 * JSON Schema (string on input, integer on output) for the OpenAPI document.
 */
export function decimalInt(opts: { min: number; max: number; message: string }) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : Array.isArray(issue.input) ? 'must be given only once' : opts.message) })
    .regex(/^[0-9]+$/, `${opts.message} (digits 0-9 only)`)
    .transform(Number)
    .pipe(z.number().int(opts.message).min(opts.min, opts.message).max(opts.max, opts.message));
}

/** A database integer id, from a path segment or a query string. */
export const IntId = decimalInt({ min: 1, max: INT4_MAX, message: `must be a positive integer up to ${INT4_MAX}` });
/** The same for JSON bodies, where a string is not an id (and 1.0 or 1e3 are just numbers). */
export const BodyIntId = z.number({ error: 'must be a positive integer' }).int('must be a positive integer').min(1, 'must be a positive integer').max(INT4_MAX, 'is out of range');
export const IdParams = z.object({ id: IntId });
export const UuidParams = z.object({ id: z.uuid('must be a UUID') });
