import type { Context } from 'koa';
import type { z } from 'zod';
import { ValidationError, type FieldIssue } from './errors';

type Location = FieldIssue['location'];

/** Parses one part of the request with a zod schema; a failure becomes a 422 with field issues. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, location: Location): z.output<S> {
  const result = schema.safeParse(value ?? (location === 'body' ? undefined : {}));
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => ({
      location,
      field: issue.path.length ? issue.path.join('.') : location,
      message: issue.message,
      code: issue.code,
    })),
  );
}

export const parseBody = <S extends z.ZodType>(ctx: Context, schema: S): z.output<S> => parse(schema, ctx.request.body, 'body');
export const parseQuery = <S extends z.ZodType>(ctx: Context, schema: S): z.output<S> => parse(schema, ctx.query, 'query');
export const parseParams = <S extends z.ZodType>(ctx: Context, schema: S): z.output<S> =>
  parse(schema, (ctx as Context & { params?: unknown }).params, 'path');
