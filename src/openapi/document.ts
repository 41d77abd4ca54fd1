import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { ErrorBody, ValidationErrorBody } from './common';
import { exampleOf } from './exampleOf';
import { toJsonSchema, type JsonSchema } from './jsonSchema';
import { ROUTES, TAGS } from './routes';
import type { ErrorDoc, NamedSchema, RouteDoc } from './types';

type Io = 'input' | 'output';
type Json = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const HEADER_REF = { $ref: '#/components/headers/X-Request-Id' };

/** @koa/router's `/movies/:id` is OpenAPI's `/movies/{id}`. */
export const toOpenApiPath = (koaPath: string): string => koaPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

/** components.schemas, filled as operations name their schemas; one name means one schema. */
class SchemaComponents {
  private readonly byName = new Map<string, { schema: z.ZodType; io: Io; json: JsonSchema }>();

  use(named: NamedSchema, io: Io): Json {
    const seen = this.byName.get(named.name);
    if (seen && (seen.schema !== named.schema || seen.io !== io)) throw new Error(`OpenAPI: two different schemas are named ${named.name}`);
    if (!seen) this.byName.set(named.name, { schema: named.schema, io, json: toJsonSchema(named.schema, io) });
    return ref(named.name);
  }

  toJSON(): Json {
    return Object.fromEntries([...this.byName].sort(([a], [b]) => a.localeCompare(b)).map(([name, { json }]) => [name, json]));
  }
}

/** Errors every route of a kind can answer, merged with the route's own. */
function errorsOf(route: RouteDoc): Map<number, Record<string, string>> {
  const all = new Map<number, Record<string, string>>();
  const add = ({ status, codes }: ErrorDoc) => all.set(status, { ...all.get(status), ...codes });
  if (route.body) {
    add({ status: 400, codes: { MALFORMED_JSON: 'The body is not JSON' } });
    add({ status: 413, codes: { PAYLOAD_TOO_LARGE: 'The body is over 64 KiB' } });
    add({ status: 415, codes: { UNSUPPORTED_MEDIA_TYPE: 'The body is not application/json' } });
  }
  if (route.auth !== 'none') {
    add({ status: 401, codes: { UNAUTHORIZED: 'No access token, or an invalid or expired one' } });
    add({ status: 403, codes: { ACCOUNT_DISABLED: 'The account was deactivated' } });
  }
  if (typeof route.auth === 'object') add({ status: 403, codes: { FORBIDDEN: `Only ${route.auth.roles.join(' and ')} may do this` } });
  for (const e of route.errors ?? []) add(e);
  if (route.path.startsWith('/api/')) {
    add({ status: 503, codes: { SERVICE_UNAVAILABLE: 'Postgres or Temporal is unreachable; nothing was changed, retry after Retry-After' } });
  }
  return new Map([...all].sort(([a], [b]) => a - b));
}

/** The shared error shape, with `code` narrowed to the codes this operation answers at this status. */
const withCodes = (base: Json, codes: string[]): Json => ({ allOf: [base, { type: 'object', properties: { code: { type: 'string', enum: codes } } }] });

/** A 422 example carries the field issues its schema requires. */
const VALIDATION_ISSUE = { location: 'body', field: 'email', message: 'must be a valid email address', code: 'invalid_format' };

function errorResponse(status: number, codes: Record<string, string>, components: SchemaComponents): Json {
  const validationCodes = Object.keys(codes).filter((c) => c === 'VALIDATION_ERROR');
  const otherCodes = Object.keys(codes).filter((c) => c !== 'VALIDATION_ERROR');
  const error = components.use(ErrorBody, 'output');
  const validation = () => withCodes(components.use(ValidationErrorBody, 'output'), validationCodes);
  const schema =
    status !== 422 || validationCodes.length === 0 ? withCodes(error, otherCodes) : otherCodes.length === 0 ? validation() : { anyOf: [validation(), withCodes(error, otherCodes)] };
  const headers: Json = { 'X-Request-Id': HEADER_REF };
  if (status === 429 || status === 503) headers['Retry-After'] = { description: 'Seconds to wait before retrying', schema: { type: 'integer' } };
  if (status === 401) headers['WWW-Authenticate'] = { description: 'Bearer challenge (RFC 6750)', schema: { type: 'string' } };
  return {
    description: Object.entries(codes)
      .map(([code, when]) => `\`${code}\`: ${when}`)
      .join('; '),
    headers,
    content: {
      'application/json': {
        schema,
        examples: Object.fromEntries(
          Object.entries(codes).map(([code, when]) => [
            code,
            { summary: when, value: code === 'VALIDATION_ERROR' ? { detail: `${VALIDATION_ISSUE.field}: ${VALIDATION_ISSUE.message}`, code, errors: [VALIDATION_ISSUE] } : { detail: when, code } },
          ]),
        ),
      },
    },
  };
}

function parameters(route: RouteDoc): Json[] {
  const described = (name: string) => (route.paramDescriptions?.[name] ? { description: route.paramDescriptions[name] } : {});
  const fromObject = (schema: z.ZodType, location: 'path' | 'query'): Json[] => {
    const json = toJsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    return Object.entries(json.properties ?? {}).map(([name, s]) => ({
      name,
      in: location,
      required: location === 'path' || (json.required ?? []).includes(name),
      ...described(name),
      schema: s,
    }));
  };
  const tokens = [...route.path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
  const pathParams = route.params ? fromObject(route.params, 'path') : [];
  const names = pathParams.map((p) => p.name);
  if (tokens.join() !== names.join()) throw new Error(`OpenAPI: ${route.method} ${route.path} documents path parameters [${names.join()}]`);
  return [
    ...pathParams,
    ...(route.query ? fromObject(route.query, 'query') : []),
    ...(route.headers ?? []).map((h) => ({ name: h.name, in: 'header', required: h.required ?? false, description: h.description, schema: toJsonSchema(h.schema, 'input') })),
  ];
}

function operation(route: RouteDoc, components: SchemaComponents): Json {
  const roles = typeof route.auth === 'object' ? route.auth.roles : undefined;
  const responses: Json = {};
  for (const r of route.responses) {
    const headers: Json = { 'X-Request-Id': HEADER_REF };
    for (const [name, description] of Object.entries(r.headers ?? {})) headers[name] = { description, schema: { type: 'string' } };
    const contentType = r.contentType ?? 'application/json';
    const example = r.example === undefined ? {} : { examples: { default: { summary: r.description, value: r.example } } };
    const content = r.schema
      ? { [contentType]: { schema: components.use(r.schema, 'output'), ...example } }
      : r.status === 204 || r.status === 304
        ? undefined
        : { [contentType]: { schema: { type: 'string' }, ...example } };
    responses[String(r.status)] = { description: r.description, headers, ...(content ? { content } : {}) };
  }
  for (const [status, codes] of errorsOf(route)) responses[String(status)] = errorResponse(status, codes, components);
  const description = [route.description, roles ? `Requires the role ${roles.join(' or ')}.` : undefined].filter(Boolean).join('\n\n');
  const params = parameters(route);
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(description ? { description } : {}),
    tags: [route.tag],
    // An explicit empty list says "public" (and keeps linters from asking for a global default).
    security: route.auth === 'none' ? [] : [{ bearerAuth: [] }],
    ...(roles ? { 'x-required-roles': roles } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: route.body.required ?? true,
            content: { 'application/json': { schema: components.use(route.body.schema, 'input'), examples: route.body.examples } },
          },
        }
      : {}),
    responses,
  };
}

function packageVersion(): string {
  // Two levels up from src/openapi, three when compiled to dist/src/openapi.
  const file = [path.join(__dirname, '..', '..', 'package.json'), path.join(__dirname, '..', '..', '..', 'package.json')].find((f) => existsSync(f));
  if (!file) return '0.0.0';
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

const DESCRIPTION = `Cinema seat booking: browse movies and showtimes, hold seats, pay and cancel.

Errors are \`{ "detail", "code", "errors"? }\` (\`errors\` only on 422). Money is a decimal string with two places ("12.50"); times are ISO 8601 with an offset. Lists take \`?page=1&page_size=20\` (at most 100) and answer \`{ items, page, page_size, total }\`.

Every response carries \`X-Request-Id\`: a well-formed one sent with the request (up to 128 of \`A-Z a-z 0-9 . _ : -\`) is kept, otherwise one is made; the API's log line for the request carries the same id.`;

/** What a body of a type other than JSON looks like, for the responses that have one. */
const TEXT_EXAMPLES: Record<string, string> = {
  'text/html': '<!doctype html><html lang="en">...</html>',
  'text/plain': '# HELP http_requests_total Requests answered\n# TYPE http_requests_total counter\n',
  'text/event-stream': 'event: snapshot\nid: 1\ndata: {"showtime_id":42}\n\n',
};

/** Every response with a body gets an example: a route's own, or one made from its schema. */
function addMissingExamples(paths: Record<string, Json>, schemas: Record<string, unknown>): void {
  for (const operations of Object.values(paths)) {
    for (const op of Object.values(operations) as { responses: Record<string, { description: string; content?: Record<string, Json> }> }[]) {
      for (const response of Object.values(op.responses)) {
        for (const [type, media] of Object.entries(response.content ?? {})) {
          if (media.examples || media.example !== undefined) continue;
          const value = type.includes('json') ? exampleOf(media.schema, schemas) : (TEXT_EXAMPLES[type.split(';')[0]] ?? 'text');
          media.examples = { default: { summary: response.description, value } };
        }
      }
    }
  }
}

/** The OpenAPI 3.1 document of the routes in ROUTES, generated from their zod schemas. */
export function buildOpenApiDocument(routes: readonly RouteDoc[] = ROUTES): Json {
  const components = new SchemaComponents();
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const p = toOpenApiPath(route.path);
    const method = route.method.toLowerCase();
    paths[p] ??= {};
    if (paths[p][method]) throw new Error(`OpenAPI: ${route.method} ${route.path} is described twice`);
    paths[p][method] = operation(route, components);
  }
  const schemas = components.toJSON();
  addMissingExamples(paths, schemas);
  return {
    openapi: '3.1.0',
    info: { title: 'Cinema booking API', version: packageVersion(), description: DESCRIPTION, license: { name: 'MIT', identifier: 'MIT' } },
    servers: [{ url: '/', description: 'The server this document came from' }],
    tags: TAGS,
    paths,
    components: {
      schemas,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The `access_token` from sign-up, login or refresh' } },
      headers: { 'X-Request-Id': { description: 'The request id: the one sent, if well-formed, or a new UUID', schema: { type: 'string' } } },
    },
  };
}
