/** A strong ETag for a version number. */
export const versionETag = (version: number): string => `"${version}"`;

/**
 * Whether an If-None-Match header names this ETag (RFC 9110 13.1.2: weak comparison, so
 * `W/"5"` matches `"5"`; `*` matches any current representation).
 */
export function ifNoneMatchHits(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === bare);
}
