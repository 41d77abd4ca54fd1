import { z } from 'zod';
import type { NamedSchema } from './types';

/** Schemas shared by many operations: API.md's error shape and the list envelope. */

const FieldIssue = z.object({
  location: z.enum(['body', 'query', 'path', 'header']),
  field: z.string().meta({ description: 'Dotted path of the field, e.g. `rows.0.seats`' }),
  message: z.string(),
  code: z.string().meta({ description: "zod's issue code, e.g. `too_small`" }),
});

export const ErrorBody: NamedSchema = {
  name: 'Error',
  schema: z
    .object({
      detail: z.string().meta({ description: 'Human readable; never a stack trace' }),
      code: z.string().meta({ description: 'Stable machine-readable code, e.g. `SEAT_UNAVAILABLE`' }),
    })
    // Some errors say more, e.g. the `seat_ids` of SEAT_UNAVAILABLE.
    .catchall(z.unknown())
    .meta({ description: 'Every error answer (API.md, "Conventions"). Some codes add fields, e.g. `seat_ids`.' }),
};

export const ValidationErrorBody: NamedSchema = {
  name: 'ValidationError',
  schema: z
    .object({ detail: z.string(), code: z.string(), errors: z.array(FieldIssue) })
    .meta({ description: 'A 422 lists every field that failed in `errors`.' }),
};

/** API.md's list envelope around `item`. */
export function pageOf(name: string, item: z.ZodType): NamedSchema {
  return {
    name,
    schema: z.object({
      items: z.array(item),
      page: z.number().int().min(1),
      page_size: z.number().int().min(1).max(100),
      total: z.number().int().min(0),
    }),
  };
}

/** A schema under its components name. */
export const named = (name: string, schema: z.ZodType): NamedSchema => ({ name, schema });
