import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/** The Ed25519 key pair that signs tickets; the public half is all a scanner needs. */
export interface TicketKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

// PKCS#8 wraps a raw 32-byte Ed25519 seed in this fixed prefix (RFC 8410).
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
// SPKI of an Ed25519 public key: this prefix, then the raw 32 bytes.
const SPKI_ED25519_PREFIX_LENGTH = 12;

/**
 * Development and tests only: anyone can rebuild this key from the source, so production refuses
 * to start without TICKET_SIGNING_PRIVATE_KEY (src/config.ts).
 */
export const DEV_TICKET_SEED = createHash('sha256').update('cinema-booking development ticket signing key').digest();

const fromSeed = (seed: Buffer): KeyObject =>
  createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });

/**
 * Reads TICKET_SIGNING_PRIVATE_KEY: a PKCS#8 PEM (newlines may be written as `\n`, as env files
 * often must), or base64 of the raw 32-byte seed, or of the 64-byte seed+public form that
 * libsodium and NaCl print. Throws with a message fit for a ConfigError.
 */
export function parseTicketPrivateKey(value: string): KeyObject {
  const text = value.trim();
  if (text.includes('-----BEGIN')) {
    let key: KeyObject;
    try {
      key = createPrivateKey(text.replace(/\\n/g, '\n'));
    } catch {
      throw new Error('not a readable PEM private key');
    }
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`an ${key.asymmetricKeyType ?? 'unknown'} key; tickets need Ed25519`);
    return key;
  }
  const raw = Buffer.from(text, 'base64');
  if (raw.length !== 32 && raw.length !== 64) throw new Error('must be a PEM, or base64 of a 32-byte Ed25519 seed (or 64-byte seed + public key)');
  const key = fromSeed(raw.subarray(0, 32));
  if (raw.length === 64 && !rawPublicKey(createPublicKey(key)).equals(raw.subarray(32))) {
    throw new Error('the 64-byte form carries a public key that does not belong to its seed');
  }
  return key;
}

export function ticketKeys(privateKeyValue: string | undefined): TicketKeys {
  const privateKey = privateKeyValue === undefined ? fromSeed(DEV_TICKET_SEED) : parseTicketPrivateKey(privateKeyValue);
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/** The public key's raw 32 bytes, the form most Ed25519 libraries on scanners take. */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX_LENGTH);
}

export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ format: 'pem', type: 'spki' }).toString();
}
