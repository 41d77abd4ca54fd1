import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

// z.number().int() says so with these bounds; in a response they are noise.
const FORMATS_WITHOUT_PATTERN = new Set(['date-time', 'uuid', 'email']);
const SAFE_INTEGER_BOUNDS = new Set([Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);

/**
 * A zod schema as an OpenAPI 3.1 Schema Object (JSON Schema 2020-12). Requests are described by
 * what a client sends (`io: 'input'`: before defaults, coercion and transforms), responses by what
 * the API produces (`io: 'output'`). A type with no JSON equivalent throws, so the OpenAPI test
 * catches it, except Date, which JSON carries as an ISO string.
 */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: ({ zodSchema }) => (zodSchema instanceof z.ZodDate ? { type: 'string', format: 'date-time' } : 'throw'),
    override: ({ jsonSchema }) => {
      // zod spells out its regex for these formats; the format says it and reads better.
      // Responses may gain fields without a new API version: clients must not reject unknown ones.
      if (io === 'output' && jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
      if (typeof jsonSchema.format === 'string' && FORMATS_WITHOUT_PATTERN.has(jsonSchema.format)) delete jsonSchema.pattern;
      if (jsonSchema.type !== 'integer') return;
      if (typeof jsonSchema.minimum === 'number' && SAFE_INTEGER_BOUNDS.has(jsonSchema.minimum)) delete jsonSchema.minimum;
      if (typeof jsonSchema.maximum === 'number' && SAFE_INTEGER_BOUNDS.has(jsonSchema.maximum)) delete jsonSchema.maximum;
    },
  }) as JsonSchema;
  // The document's jsonSchemaDialect already says which dialect; a nested $schema is clutter.
  delete json.$schema;
  return json;
}
