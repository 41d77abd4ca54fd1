import type { z } from 'zod';

/** A zod schema with the name it has under components.schemas. */
export interface NamedSchema {
  name: string;
  schema: z.ZodType;
}

/**
 * Who may call a route: anyone, any signed-in user, or only the given roles (requireRole).
 * The OpenAPI test checks the roles against the routers' guards.
 */
export type RouteAuth = 'none' | 'bearer' | { roles: readonly ('admin' | 'staff')[] };

export interface ErrorDoc {
  status: number;
  /** The `code` values this route answers with at this status, each with when. */
  codes: Record<string, string>;
}

export interface SuccessDoc {
  status: number;
  description: string;
  schema?: NamedSchema;
  /** application/json unless said otherwise. */
  contentType?: string;
  /** Response headers worth knowing, by name: their description. */
  headers?: Record<string, string>;
  /** A realistic body; without one an example is made from the schema. */
  example?: unknown;
}

export interface HeaderParamDoc {
  name: string;
  description: string;
  schema: z.ZodType;
  required?: boolean;
}

export interface RequestBodyDoc {
  schema: NamedSchema;
  required?: boolean;
  /** Each is checked against `schema` by test/openapi.test.ts. */
  examples: Record<string, { summary: string; value: unknown }>;
}

/** One operation, as registered in the routers (`path` in @koa/router syntax, e.g. /api/v1/movies/:id). */
export interface RouteDoc {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  auth: RouteAuth;
  params?: z.ZodObject;
  query?: z.ZodType;
  /** Descriptions of path and query parameters, by name. */
  paramDescriptions?: Record<string, string>;
  headers?: HeaderParamDoc[];
  body?: RequestBodyDoc;
  responses: SuccessDoc[];
  /** Errors particular to the route; 401/403 (auth), 400/413/415 (bodies) and 503 (API routes) are added. */
  errors?: ErrorDoc[];
}
