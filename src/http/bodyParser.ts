import type { Middleware } from 'koa';
import { ApiError } from './errors';

export const MAX_BODY_BYTES = 64 * 1024;
const MAX_JSON_DEPTH = 32;
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

declare module 'koa' {
  interface Request {
    /** The body exactly as received; webhook signatures are computed over it. */
    rawBody?: Buffer;
    body?: unknown;
  }
}

function depthOf(value: unknown, depth = 0): number {
  if (depth > MAX_JSON_DEPTH || value === null || typeof value !== 'object') return depth;
  let max = depth;
  for (const v of Object.values(value as Record<string, unknown>)) {
    max = Math.max(max, depthOf(v, depth + 1));
    if (max > MAX_JSON_DEPTH) break;
  }
  return max;
}

/** Reads JSON bodies with a size limit, keeping the raw bytes; a body that is not JSON is refused. */
export function jsonBodyParser(): Middleware {
  return async (ctx, next) => {
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(ctx.method)) return next();
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > MAX_BODY_BYTES) throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `Request bodies are limited to ${MAX_BODY_BYTES} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `Request bodies are limited to ${MAX_BODY_BYTES} bytes`);
      chunks.push(chunk as Buffer);
    }
    const raw = Buffer.concat(chunks);
    ctx.request.rawBody = raw;
    if (raw.length === 0) {
      ctx.request.body = undefined;
      return next();
    }
    if (!ctx.is('application/json', 'application/*+json')) {
      throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
    }
    // JSON is UTF-8 (RFC 8259); a body declared in another charset would be misread.
    const charset = ctx.request.charset;
    if (charset && !/^utf-?8$/i.test(charset)) {
      throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json in UTF-8');
    }
    let text: string;
    try {
      // Fatal: invalid UTF-8 is refused rather than silently turned into U+FFFD.
      text = UTF8.decode(raw);
    } catch {
      throw new ApiError(400, 'MALFORMED_JSON', 'The request body is not valid UTF-8');
    }
    try {
      ctx.request.body = JSON.parse(text);
    } catch {
      throw new ApiError(400, 'MALFORMED_JSON', 'The request body is not valid JSON');
    }
    if (depthOf(ctx.request.body) > MAX_JSON_DEPTH) {
      throw new ApiError(400, 'MALFORMED_JSON', `JSON nested deeper than ${MAX_JSON_DEPTH} levels is refused`);
    }
    return next();
  };
}
