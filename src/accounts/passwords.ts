import { randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';

/** bcrypt reads only the first 72 bytes; anything longer would be silently cut off. */
export const MAX_PASSWORD_BYTES = 72;

/**
 * NFKC, as NIST SP 800-63B advises, so one password typed on two keyboards that compose
 * accents differently is still one password.
 */
export const normalizePassword = (password: string): string => password.normalize('NFKC');

export const passwordByteLength = (password: string): number => Buffer.byteLength(normalizePassword(password), 'utf8');

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /**
   * Checks a password against a stored hash. With no hash (unknown email) it still spends a
   * full bcrypt comparison, so the answer time does not tell which emails have accounts.
   */
  verify(password: string, hash: string | null): Promise<boolean>;
  /** True when the hash was made with another cost than the configured one. */
  needsRehash(hash: string): boolean;
}

export function createPasswordHasher(rounds: number): PasswordHasher {
  // Made once, up front, so the first unknown-email login is not slower than the rest.
  const dummyHash = bcrypt.hash(randomBytes(16).toString('hex'), rounds);

  return {
    hash: (password) => bcrypt.hash(normalizePassword(password), rounds),

    async verify(password, hash) {
      const candidate = normalizePassword(password);
      const target = hash ?? (await dummyHash);
      let matches: boolean;
      try {
        matches = await bcrypt.compare(candidate, target);
      } catch {
        // A malformed stored hash is a row no one can log in to, not a server error.
        matches = false;
      }
      // Past 72 bytes bcrypt would accept any suffix of a 72-byte password.
      return matches && hash !== null && Buffer.byteLength(candidate, 'utf8') <= MAX_PASSWORD_BYTES;
    },

    needsRehash(hash) {
      try {
        return bcrypt.getRounds(hash) !== rounds;
      } catch {
        return false;
      }
    },
  };
}
