import { isPgError, PG_UNIQUE_VIOLATION, sqlStateOf } from '../src/db/pgErrors';
import { isUnavailableError } from '../src/http/unavailable';

/** What pg's DatabaseError carries: a severity and a five-character SQLSTATE. */
const pgError = (code: string, constraint?: string) => Object.assign(new Error('db'), { code, severity: 'ERROR', constraint });

describe('the Postgres error module', () => {
  it('reads the SQLSTATE from pg, from an Objection wrapper and from a cause', () => {
    expect(sqlStateOf(pgError('23505'))).toBe('23505');
    expect(sqlStateOf(Object.assign(new Error('wrapped'), { nativeError: pgError('23P01') }))).toBe('23P01');
    expect(sqlStateOf(new Error('outer', { cause: pgError('40001') }))).toBe('40001');
  });

  it('does not take a five-letter errno for a SQLSTATE', () => {
    expect(sqlStateOf(Object.assign(new Error('pipe'), { code: 'EPIPE' }))).toBeUndefined();
    expect(sqlStateOf('23505')).toBeUndefined();
  });

  it('matches a code and, when named, the constraint', () => {
    const err = Object.assign(new Error('wrapped'), { nativeError: pgError(PG_UNIQUE_VIOLATION, 'users_email_unique') });
    expect(isPgError(err, PG_UNIQUE_VIOLATION)).toBe(true);
    expect(isPgError(err, PG_UNIQUE_VIOLATION, 'users_email_unique')).toBe(true);
    expect(isPgError(err, PG_UNIQUE_VIOLATION, 'another')).toBe(false);
  });

  it('tells an unavailable database by its code class', () => {
    expect(isUnavailableError(pgError('57P01'))).toBe(true);
    expect(isUnavailableError(pgError('08006'))).toBe(true);
    expect(isUnavailableError(pgError('23505'))).toBe(false);
  });
});
