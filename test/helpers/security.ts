import type Router from '@koa/router';
import knexFactory, { type Knex } from 'knex';
import { knexConfig } from '../../knexfile';
import { dropDatabase, ensureDatabase, withDatabase } from '../../scripts/postgres';
import { guardedRoles } from '../../src/http/auth';
import type { UserRole } from '../../src/db/models';
import type { ApiResponse } from './http';

/** One route as the routers register it. */
export interface RegisteredRoute {
  method: string;
  /** As registered, with parameters: /movies/:id (relative to /api/v1). */
  path: string;
  /** Names of its path parameters, in order. */
  params: string[];
  /** The roles a requireRole guard admits, or undefined when none guards it. */
  roles: readonly UserRole[] | undefined;
}

/** Every route of the given routers (from `apiRouters(deps)`), so a route added later is covered too. */
export function registeredRoutes(routers: Router[]): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  for (const router of routers) {
    // `router.use(...)` layers have no methods and guard every route they match.
    const useLayers = router.stack.filter((layer) => layer.methods.length === 0);
    for (const layer of router.stack) {
      if (layer.methods.length === 0) continue;
      const path = String(layer.path);
      const params = [...path.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
      const concrete = path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, '1');
      const middleware = [...useLayers.filter((u) => u.match(concrete)).flatMap((u) => u.stack), ...layer.stack];
      const roles = middleware.map(guardedRoles).find((r) => r !== undefined);
      for (const method of layer.methods.filter((m) => m !== 'HEAD')) routes.push({ method, path, params, roles });
    }
  }
  return routes;
}

export const routeName = (r: Pick<RegisteredRoute, 'method' | 'path'>) => `${r.method} ${r.path}`;

/** The path with its parameters filled in (already URL-encoded values). */
export const fillPath = (path: string, values: Record<string, string>) => path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => values[name] ?? '1');

const CODE = /^[A-Z][A-Z0-9_]*$/;
/** Fields an error body may carry besides detail, code and errors (API.md allows details such as the unavailable seat_ids). */
const ISSUE_KEYS = ['code', 'field', 'location', 'message'];

/**
 * What is wrong with a 4xx/5xx answer's body against API.md's error shape
 * `{detail, code, errors?}` (errors only on 422), or null when nothing is.
 */
export function errorShapeProblem(res: Pick<ApiResponse, 'status' | 'body' | 'headers'>): string | null {
  const body = res.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return `body is not a JSON object: ${JSON.stringify(res.body)?.slice(0, 200)}`;
  if (typeof body.detail !== 'string' || body.detail.length === 0) return 'detail is not a non-empty string';
  if (typeof body.code !== 'string' || !CODE.test(body.code)) return `code is not an upper-case machine code: ${JSON.stringify(body.code)}`;
  if ('errors' in body) {
    if (res.status !== 422) return `errors on a ${res.status}`;
    if (!Array.isArray(body.errors) || body.errors.length === 0) return 'errors is not a non-empty list';
    for (const issue of body.errors as Record<string, unknown>[]) {
      if (!issue || JSON.stringify(Object.keys(issue).sort()) !== JSON.stringify(ISSUE_KEYS)) return `a field issue is not {location, field, message, code}: ${JSON.stringify(issue)}`;
      if (!['body', 'query', 'path', 'header'].includes(String(issue.location))) return `a field issue has location ${JSON.stringify(issue.location)}`;
    }
  }
  const text = JSON.stringify(body);
  if (/\n\s+at |node_modules|\.ts:\d+|(select|insert|update|delete) .*(from|into|set) "/i.test(text)) return `the body leaks internals: ${text.slice(0, 300)}`;
  // A bad or missing bearer token carries a challenge (RFC 6750); a wrong password at login need not.
  if (res.status === 401 && body.code === 'UNAUTHORIZED' && !res.headers.get('www-authenticate')) return '401 without WWW-Authenticate';
  if ((res.status === 429 || res.status === 503) && !res.headers.get('retry-after')) return `${res.status} without Retry-After`;
  return null;
}

/**
 * A fingerprint of every row of every application table: equal before and after a request
 * means the request changed nothing. Meant for a small database of a test's own (see
 * scratchDatabase), where hashing every row costs a few milliseconds.
 */
export async function databaseFingerprint(knex: Knex): Promise<Record<string, string>> {
  const tables: string[] = await knex('information_schema.tables')
    .where({ table_schema: 'public', table_type: 'BASE TABLE' })
    .whereNot('table_name', 'like', 'knex_%')
    .orderBy('table_name')
    .pluck('table_name');
  const sql = tables
    .map((t) => `SELECT '${t}' AS t, count(*) || ':' || coalesce(md5(string_agg(md5(x::text), '' ORDER BY md5(x::text))), '') AS h FROM "${t}" x`)
    .join(' UNION ALL ');
  const { rows } = (await knex.raw(sql)) as { rows: { t: string; h: string }[] };
  return Object.fromEntries(rows.map((r) => [r.t, r.h]));
}

/** The tables whose fingerprints differ. */
export const changedTables = (before: Record<string, string>, after: Record<string, string>) =>
  Object.keys({ ...before, ...after }).filter((t) => before[t] !== after[t]);

/**
 * A fresh database migrated to the latest schema, its id sequences moved to a range of their own.
 * Its workflows run on the run's shared Temporal server, whose search attributes (ShowtimeId,
 * UserId) other tests query: ids counting from 1 again would put this database's showtimes and
 * users into their answers.
 */
export async function migrateIsolated(url: string): Promise<void> {
  await ensureDatabase(url);
  const knex = knexFactory(knexConfig(url));
  try {
    await knex.migrate.latest();
    const base = 1_000_000_000 + Math.floor(Math.random() * 1_000) * 1_000_000;
    const sequences: string[] = await knex('pg_sequences').where({ schemaname: 'public' }).pluck('sequencename');
    for (const seq of sequences) await knex.raw('SELECT setval(?::regclass, ?)', [`public.${seq}`, base]);
  } finally {
    await knex.destroy();
  }
}

/**
 * A fresh, migrated database of a test's own on the run's Postgres (ids in a range of its own,
 * see migrateIsolated), dropped again by `drop`, so a test can fingerprint every row cheaply and
 * change anything without disturbing other tests.
 */
export async function scratchDatabase(tag: string): Promise<{ url: string; drop(): Promise<void> }> {
  const shared = process.env.TEST_DATABASE_URL;
  if (!shared) throw new Error('TEST_DATABASE_URL is not set: run the tests through jest (npm test)');
  const url = withDatabase(shared, `booking_${tag}_${process.pid}_${Date.now()}`);
  await migrateIsolated(url);
  return { url, drop: () => dropDatabase(url) };
}
