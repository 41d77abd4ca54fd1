/** One field-level problem in a 422 answer. */
export interface FieldIssue {
  location: 'body' | 'query' | 'path' | 'header';
  field: string;
  message: string;
  code: string;
}

/** An error the API answers on purpose, rendered in API.md's error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    // An answer below 500 is the API working as meant: its stack trace is never read, and capturing
    // one was a measurable part of a refusal's CPU. A 5xx keeps its stack for the error log.
    const limit = Error.stackTraceLimit;
    if (status < 500) Error.stackTraceLimit = 0;
    try {
      super(detail);
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = 'ApiError';
  }
}

export const notFound = (code: string, detail: string, extra?: Record<string, unknown>) =>
  new ApiError(404, code, detail, extra);
export const conflict = (code: string, detail: string, extra?: Record<string, unknown>) =>
  new ApiError(409, code, detail, extra);
export const unprocessable = (code: string, detail: string, extra?: Record<string, unknown>) =>
  new ApiError(422, code, detail, extra);
export const serviceUnavailable = (detail = 'A backing service is unavailable; nothing was changed. Retry shortly.') =>
  new ApiError(503, 'SERVICE_UNAVAILABLE', detail, {}, { 'Retry-After': '5' });

export class ValidationError extends ApiError {
  constructor(readonly issues: FieldIssue[]) {
    super(422, 'VALIDATION_ERROR', issues.length === 1 ? `${issues[0].field}: ${issues[0].message}` : 'The request is invalid', {
      errors: issues,
    });
  }
}
