import { ApiError, conflict, serviceUnavailable } from '../src/http/errors';

describe('ApiError', () => {
  it('captures no stack trace for an answer below 500, and keeps one for a 5xx', () => {
    const refusal = conflict('SOLD_OUT', 'sold out', { quantity: 2 });
    expect(refusal.stack).toBe('ApiError: sold out');
    expect(serviceUnavailable().stack).toMatch(/\n\s+at /);
  });

  it('leaves the stack trace limit as it found it, for every other error', () => {
    const limit = Error.stackTraceLimit;
    void new ApiError(404, 'NOT_FOUND', 'gone');
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error('other').stack).toMatch(/\n\s+at /);
  });
});
