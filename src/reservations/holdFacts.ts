import type { HoldFacts } from '../../workflows/shared';
import type { HoldShowtime } from './holdShowtime';

/**
 * What the reservation workflow needs of the row the hold inserts, for its input: with it the
 * workflow is held from its first task without reading the row (DESIGN.md, the hold path).
 */
export const holdFacts = (expiresAt: Date, showtime: Pick<HoldShowtime, 'starts_at' | 'ends_at'>, totalPrice: string): HoldFacts => ({
  expiresAt: expiresAt.toISOString(),
  showStartsAt: new Date(showtime.starts_at).toISOString(),
  showEndsAt: new Date(showtime.ends_at).toISOString(),
  totalPrice,
});
