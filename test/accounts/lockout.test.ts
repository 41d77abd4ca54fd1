import { randomUUID } from 'node:crypto';
import { backoffSeconds } from '../../src/accounts/loginBackoff';
import { apiClient } from '../helpers/http';
import { useTestStack } from '../helpers/stack';

/**
 * Failed logins are counted per (e-mail, client address) with a doubling wait, under a much
 * higher ceiling per e-mail: an attacker at one address cannot lock the owner out elsewhere.
 * Addresses come from X-Forwarded-For through one trusted proxy hop.
 */

const PASSWORD = 'correct horse battery';
const ATTACKER = '203.0.113.66';
const OWNER = '198.51.100.7';

describe('login lockout', () => {
  // The defaults of src/config.ts, but for the proxy hop the test needs to speak for two addresses.
  const { stack, api } = useTestStack({ worker: false, env: { TRUST_PROXY_HOPS: '1', RATE_LIMIT_LOGIN_PER_ADDRESS: '0' } });

  async function signup(): Promise<string> {
    const email = `lockout-${randomUUID()}@example.test`;
    expect((await api.post('/auth/user/signup', { name: 'Owner', email, password: PASSWORD })).status).toBe(201);
    return email;
  }
  const login = (email: string, password: string, from: string) =>
    api.post('/auth/login', { email, password }, { headers: { 'x-forwarded-for': from } });

  it("locks the attacker's address out, while the owner at their own address still gets in", async () => {
    const email = await signup();
    const { freeFailures } = stack.config.rateLimits.loginBackoff;
    // Ten guesses: the free ones fail with 401, the rest wait out a growing backoff (429).
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await login(email, `guess number ${i}`, ATTACKER)).status);
    expect(statuses.slice(0, freeFailures)).toEqual(Array(freeFailures).fill(401));
    expect(statuses.slice(freeFailures)).toEqual(Array(10 - freeFailures).fill(429));

    // Even the right password waits at the attacker's address: otherwise the 429 would not slow a guesser.
    const locked = await login(email, PASSWORD, ATTACKER);
    expect(locked.status).toBe(429);
    expect(locked.body).toEqual(expect.objectContaining({ code: 'RATE_LIMITED', detail: expect.any(String) }));
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);

    // The owner, from their own address, signs in at once.
    const owner = await login(email, PASSWORD, OWNER);
    expect(owner.status).toBe(200);
    expect(owner.body.access_token).toEqual(expect.any(String));
  });

  it('doubles the wait after each failure past the free ones, and forgives the pair on success', async () => {
    const email = await signup();
    const rule = stack.config.rateLimits.loginBackoff;
    for (let i = 0; i < rule.freeFailures; i++) expect((await login(email, 'wrong password', OWNER)).status).toBe(401);
    const first = Number((await login(email, 'wrong password', OWNER)).headers.get('retry-after'));
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(rule.baseSeconds);
    // Wait out the first backoff; the next failure waits twice as long.
    await stack.knex('login_backoff').update({ blocked_until: stack.knex.raw("now() - interval '1 second'") }).where('blocked_until', '>', stack.knex.fn.now());
    expect((await login(email, 'wrong password', OWNER)).status).toBe(401);
    const second = Number((await login(email, 'wrong password', OWNER)).headers.get('retry-after'));
    expect(second).toBeGreaterThan(rule.baseSeconds);
    expect(second).toBeLessThanOrEqual(2 * rule.baseSeconds);
    expect([1, 2, 3, 4, 5, 6, 20].map((f) => backoffSeconds(rule, f))).toEqual([0, 0, 0, 0, 2, 4, 900]);
  });

  it('still caps failures per e-mail across addresses (guessing spread over many addresses)', async () => {
    const email = await signup();
    const ceiling = await stack.startExtraApi({
      trustProxyHops: 1,
      rateLimits: { ...stack.config.rateLimits, loginPerEmail: { max: 3, windowSeconds: 6201 } },
    });
    try {
      const spread = apiClient(ceiling.baseUrl);
      const from = (i: number) => ({ headers: { 'x-forwarded-for': `192.0.2.${i}` } });
      for (let i = 1; i <= 3; i++) expect((await spread.post('/auth/login', { email, password: 'wrong' }, from(i))).status).toBe(401);
      expect((await spread.post('/auth/login', { email, password: PASSWORD }, from(4))).status).toBe(429);
    } finally {
      await ceiling.close();
    }
  });
});
