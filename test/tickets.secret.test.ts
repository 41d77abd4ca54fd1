import { createPublicKey, generateKeyPairSync, randomUUID, verify } from 'node:crypto';
import { parseTicketPrivateKey, rawPublicKey, ticketKeys } from '../src/tickets/keys';
import { signTicket, verifyTicketSecret } from '../src/tickets/secret';

/** The ticket secret on its own: no server, no database. */
describe('ticket secrets', () => {
  const keys = ticketKeys(undefined);
  const claims = { ticketId: randomUUID(), showtimeId: 42, seatId: 7 };
  const secret = signTicket(keys.privateKey, claims);

  it('verifies offline with nothing but the raw public key, as a scanner would', () => {
    // Only the 32 public bytes cross over; the scanner rebuilds the key from them alone.
    const publicBytes = rawPublicKey(keys.publicKey);
    const scannerKey = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicBytes]), format: 'der', type: 'spki' });
    expect(verifyTicketSecret(scannerKey, secret)).toEqual(claims);
    const [payload, signature] = secret.split('.').map((part) => Buffer.from(part, 'base64url'));
    expect(verify(null, payload, scannerKey, signature)).toBe(true);
    expect(secret.length).toBeLessThan(130);
  });

  it('refuses altered, truncated, re-spelt and forged secrets, and never throws', () => {
    const [payload, signature] = secret.split('.');
    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    const forged = signTicket(generateKeyPairSync('ed25519').privateKey, claims);
    const bad = [
      `${flip(payload, 30)}.${signature}`, // another seat id
      `${payload}.${flip(signature, 10)}`,
      secret.slice(0, -5),
      payload,
      `${payload}.`,
      `.${signature}`,
      `${payload}.${signature}.x`,
      `${payload}=.${signature}`,
      forged,
      '',
      'not a ticket at all',
      '\u0000\uffff',
    ];
    for (const text of bad) expect(verifyTicketSecret(keys.publicKey, text)).toBeNull();
  });

  it('reads the private key as PEM (with escaped newlines) or base64 of the seed, and derives the same public key', () => {
    const seed = Buffer.alloc(32, 9);
    const fromSeed = ticketKeys(seed.toString('base64'));
    const pem = fromSeed.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const fromPem = ticketKeys(pem.replace(/\n/g, '\\n'));
    expect(rawPublicKey(fromPem.publicKey)).toEqual(rawPublicKey(fromSeed.publicKey));
    const seedAndPublic = Buffer.concat([seed, rawPublicKey(fromSeed.publicKey)]).toString('base64');
    expect(rawPublicKey(ticketKeys(seedAndPublic).publicKey)).toEqual(rawPublicKey(fromSeed.publicKey));
    expect(() => parseTicketPrivateKey(Buffer.concat([seed, Buffer.alloc(32)]).toString('base64'))).toThrow(/does not belong/);
  });
});
