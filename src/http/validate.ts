import type { Context } from 'koa';
import type { z } from 'zod';
import { ValidationError, type FieldIssue } from './errors';

type Location = FieldIssue['location'];

// An unpaired UTF-16 surrogate is no character at all: the driver would store U+FFFD instead.
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Whether Postgres can store the string as it is: text cannot hold NUL (the insert would fail
 * with SQLSTATE 22021, or an activity would retry it forever), and unpaired surrogates would be
 * silently replaced. For `.refine(isStorableText, STORABLE_TEXT_MESSAGE)` on free-text fields.
 */
export const isStorableText = (value: string): boolean => !value.includes('\u0000') && !UNPAIRED_SURROGATE.test(value);
export const STORABLE_TEXT_MESSAGE = 'must not contain NUL characters or unpaired surrogates';

/** The message for an issue about the whole body rather than one of its fields. */
function wholeBodyMessage(value: unknown, issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_type') return issue.message;
  if (value === undefined) return 'a JSON body is required';
  return `must be a JSON ${issue.expected === 'array' ? 'array' : 'object'}`;
}

/** The message for one issue; a query parameter given twice arrives as an array and is named so. */
function messageFor(value: unknown, issue: z.core.$ZodIssue, location: Location): string {
  if (issue.path.length === 0 && location === 'body') return wholeBodyMessage(value, issue);
  if (location === 'query' && issue.code === 'invalid_type' && issue.path.length === 1 && value && typeof value === 'object') {
    const given = (value as Record<string, unknown>)[String(issue.path[0])];
    if (Array.isArray(given)) return 'must be given only once';
  }
  return issue.message;
}

/** Parses one part of the request with a zod schema; a failure becomes a 422 with field issues. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, location: Location): z.output<S> {
  const input = value ?? (location === 'body' ? undefined : {});
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => ({
      location,
      field: issue.path.length ? issue.path.join('.') : location,
      message: messageFor(input, issue, location),
      code: issue.code,
    })),
  );
}

export const parseBody = <S extends z.ZodType>(ctx: Context, schema: S): z.output<S> => parse(schema, ctx.request.body, 'body');
export const parseQuery = <S extends z.ZodType>(ctx: Context, schema: S): z.output<S> => parse(schema, ctx.query, 'query');
export const parseParams = <S extends z.ZodType>(ctx: Context, schema: S): z.output<S> =>
  parse(schema, (ctx as Context & { params?: unknown }).params, 'path');
