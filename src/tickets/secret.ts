import { createHash, sign, verify, type KeyObject } from 'node:crypto';

/**
 * A ticket's secret, the text in its QR code: `base64url(payload).base64url(signature)`.
 * The payload is binary to keep the QR code small (a smaller code scans faster in a dim foyer):
 * format version (1 byte), ticket id (16-byte UUID), showtime id and seat id (4 bytes each,
 * big-endian). The signature is Ed25519 over the payload's bytes, so anyone with the public key
 * can check a ticket offline, and nobody without the private key can make or alter one.
 */
export interface TicketClaims {
  ticketId: string;
  showtimeId: number;
  seatId: number;
}

export const SECRET_FORMAT_VERSION = 1;
const PAYLOAD_BYTES = 25;
const SIGNATURE_BYTES = 64;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function encodePayload(claims: TicketClaims): Buffer {
  const payload = Buffer.alloc(PAYLOAD_BYTES);
  payload.writeUInt8(SECRET_FORMAT_VERSION, 0);
  Buffer.from(claims.ticketId.replace(/-/g, ''), 'hex').copy(payload, 1);
  payload.writeUInt32BE(claims.showtimeId, 17);
  payload.writeUInt32BE(claims.seatId, 21);
  return payload;
}

function decodePayload(payload: Buffer): TicketClaims | null {
  if (payload.length !== PAYLOAD_BYTES || payload.readUInt8(0) !== SECRET_FORMAT_VERSION) return null;
  const hex = payload.subarray(1, 17).toString('hex');
  const ticketId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { ticketId, showtimeId: payload.readUInt32BE(17), seatId: payload.readUInt32BE(21) };
}

export function signTicket(privateKey: KeyObject, claims: TicketClaims): string {
  const payload = encodePayload(claims);
  // Ed25519 signatures are deterministic: the same ticket always gets the same secret, so only
  // its hash is stored and the secret is made again when shown.
  return `${payload.toString('base64url')}.${sign(null, payload, privateKey).toString('base64url')}`;
}

/** The ticket a secret names when its signature holds; null for anything else, never a throw. */
export function verifyTicketSecret(publicKey: KeyObject, secret: string): TicketClaims | null {
  const parts = secret.split('.');
  if (parts.length !== 2 || !BASE64URL.test(parts[0]) || !BASE64URL.test(parts[1])) return null;
  const payload = Buffer.from(parts[0], 'base64url');
  const signature = Buffer.from(parts[1], 'base64url');
  // Re-encoding must give the same text: otherwise one ticket would have many accepted spellings.
  if (payload.toString('base64url') !== parts[0] || signature.toString('base64url') !== parts[1]) return null;
  if (signature.length !== SIGNATURE_BYTES) return null;
  const claims = decodePayload(payload);
  if (!claims) return null;
  return verify(null, payload, publicKey, signature) ? claims : null;
}

/** What the database and the scanners' cached list hold instead of the secret itself. */
export const secretHash = (secret: string): string => createHash('sha256').update(secret).digest('hex');
