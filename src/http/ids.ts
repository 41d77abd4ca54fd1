import { z } from 'zod';

const INT4_MAX = 2_147_483_647;

/** A database integer id, from a path segment, query string or JSON body. */
export const IntId = z.coerce.number({ error: 'must be a positive integer' }).int('must be a positive integer').min(1, 'must be a positive integer').max(INT4_MAX, 'is out of range');
/** The same for JSON bodies, where a string is not an id. */
export const BodyIntId = z.number({ error: 'must be a positive integer' }).int('must be a positive integer').min(1, 'must be a positive integer').max(INT4_MAX, 'is out of range');
export const IdParams = z.object({ id: IntId });
export const UuidParams = z.object({ id: z.uuid('must be a UUID') });
