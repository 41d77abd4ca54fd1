import { isIP } from 'node:net';
import type { Middleware } from 'koa';

/** `::ffff:10.0.0.1` (how Node reports IPv4 peers on a dual-stack socket) is 10.0.0.1. */
export const normalizeAddress = (address: string): string => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '').toLowerCase();

export const isIpAddress = (address: string): boolean => isIP(normalizeAddress(address)) !== 0;

/**
 * With TRUST_PROXY_ADDRESSES set, X-Forwarded-For is believed only on connections from those
 * proxies: a client that reaches the API directly (around the proxy) cannot pick its address.
 * Mounted before anything reads ctx.ip, which Koa caches on first read.
 */
export function onlyTrustedProxies(addresses: readonly string[]): Middleware {
  const trusted = new Set(addresses.map(normalizeAddress));
  return async (ctx, next) => {
    const peer = ctx.req.socket.remoteAddress ?? '';
    if (!trusted.has(normalizeAddress(peer))) ctx.request.ip = peer;
    await next();
  };
}
