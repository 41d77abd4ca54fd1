import { z } from 'zod';

const PartStatus = z.enum(['ok', 'unavailable']);

/** GET /healthz, for the OpenAPI document. */
export const HealthResponse = z.object({
  status: z.enum(['ok', 'degraded']),
  database: PartStatus,
  temporal: PartStatus,
});
