import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { ApiClient } from './http';

/** A short unique token, so names and search terms of one test never match another's rows. */
export const uniqueToken = (): string => randomUUID().replace(/-/g, '').slice(0, 12);

/** An ISO timestamp `minutes` from now, on a whole minute so arithmetic on it stays exact. */
export function minutesFromNow(minutes: number): string {
  const t = new Date(Date.now() + minutes * 60_000);
  t.setUTCSeconds(0, 0);
  return t.toISOString();
}

export const addMinutes = (iso: string, minutes: number): string => new Date(Date.parse(iso) + minutes * 60_000).toISOString();

export async function postMovie(api: ApiClient, token: string, overrides: Record<string, unknown> = {}) {
  const res = await api.post('/movies', { title: `Movie ${uniqueToken()}`, duration_minutes: 100, ...overrides }, { token });
  if (res.status !== 201) throw new Error(`POST /movies answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as { id: number; title: string; duration_minutes: number };
}

export async function postAuditorium(api: ApiClient, token: string, rows: unknown[] = [{ row: 'A', seats: 4 }, { row: 'B', seats: 4 }]) {
  const res = await api.post('/auditoriums', { name: `Hall ${uniqueToken()}`, rows }, { token });
  if (res.status !== 201) throw new Error(`POST /auditoriums answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as { id: number; name: string; seats: { id: number; label: string; row: string; number: number }[] };
}

export async function postShowtime(api: ApiClient, token: string, body: { movie_id: number; auditorium_id: number; starts_at?: string; base_price?: string }) {
  const res = await api.post('/showtimes', { starts_at: minutesFromNow(24 * 60), base_price: '10.00', ...body }, { token });
  if (res.status !== 201) throw new Error(`POST /showtimes answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as { id: number; movie_id: number; auditorium_id: number; starts_at: string; ends_at: string; base_price: string };
}

/** A movie, an auditorium and a showtime tomorrow, all made through the API. */
export async function scheduledShowtime(api: ApiClient, token: string, opts: { rows?: unknown[]; base_price?: string; duration_minutes?: number } = {}) {
  const movie = await postMovie(api, token, opts.duration_minutes ? { duration_minutes: opts.duration_minutes } : {});
  const auditorium = await postAuditorium(api, token, opts.rows);
  const showtime = await postShowtime(api, token, { movie_id: movie.id, auditorium_id: auditorium.id, ...(opts.base_price ? { base_price: opts.base_price } : {}) });
  return { movie, auditorium, showtime };
}

/** Counts rows matching `where`, to prove a refused request changed nothing. */
export async function countRows(knex: Knex, table: string, filter: (q: Knex.QueryBuilder) => Knex.QueryBuilder): Promise<number> {
  const [{ count }] = await filter(knex(table)).count<{ count: number }[]>({ count: '*' });
  return Number(count);
}
