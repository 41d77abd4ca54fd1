import type { Model, QueryBuilder } from 'objection';

/** Which part of a list a page is: `limit` rows after the first `offset`. */
export interface PageWindow {
  limit: number;
  offset: number;
}

/**
 * One page of the rows `filter` matches and how many it matches in all, as two queries side by
 * side. `shape` orders the page and picks its columns; the count runs on the filter alone.
 */
export async function listPage<M extends Model, R>(
  filter: QueryBuilder<M, M[]>,
  window: PageWindow,
  shape: (query: QueryBuilder<M, M[]>) => QueryBuilder<M, R>,
): Promise<{ rows: R; total: number }> {
  const [rows, total] = await Promise.all([shape(filter.clone()).limit(window.limit).offset(window.offset), filter.clone().resultSize()]);
  return { rows, total };
}
