import { z } from 'zod';

export const MAX_PAGE_SIZE = 100;

/** `?page=1&page_size=20` (max 100), shared by every list endpoint. */
export const PaginationQuery = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(20),
});
export type Pagination = z.infer<typeof PaginationQuery>;

export interface Page<T> {
  items: T[];
  page: number;
  page_size: number;
  total: number;
}

export const pageOf = <T>(items: T[], p: Pagination, total: number): Page<T> => ({ items, page: p.page, page_size: p.page_size, total });
export const offsetOf = (p: Pagination): number => (p.page - 1) * p.page_size;
