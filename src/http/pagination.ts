import { z } from 'zod';
import type { PageWindow } from '../db/listPage';
import { decimalInt } from './ids';

export const MAX_PAGE_SIZE = 100;
export const MAX_PAGE = 1_000_000;

/** `?page=1&page_size=20` (max 100), shared by every list endpoint; plain decimal digits only. */
export const PaginationQuery = z.object({
  page: decimalInt({ min: 1, max: MAX_PAGE, message: `must be a whole number from 1 to ${MAX_PAGE}` }).default(1),
  page_size: decimalInt({ min: 1, max: MAX_PAGE_SIZE, message: `must be a whole number from 1 to ${MAX_PAGE_SIZE}` }).default(20),
});
export type Pagination = z.infer<typeof PaginationQuery>;

export interface Page<T> {
  items: T[];
  page: number;
  page_size: number;
  total: number;
}

export const pageOf = <T>(items: T[], p: Pagination, total: number): Page<T> => ({ items, page: p.page, page_size: p.page_size, total });
/** The rows `?page&page_size` asks for. */
export const windowOf = (p: Pagination): PageWindow => ({ limit: p.page_size, offset: (p.page - 1) * p.page_size });
