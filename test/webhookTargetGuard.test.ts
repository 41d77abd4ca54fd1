import { sendWebhook } from '../src/webhooks/send';
import { assertPublicTarget, guardedLookup, isPrivateAddress, UnsafeTargetError, type Resolve } from '../src/webhooks/targetGuard';
import { startWebhookReceiver } from './helpers/webhookReceiver';

/** The SSRF guard of outbound webhooks: which addresses are refused, at creation and at delivery. */
describe('webhook target guard', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '0.0.0.0',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.10',
    '169.254.169.254',
    '100.64.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd12:3456::1',
    'fc00::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    '[::1]',
    'fe80::1%eth0',
    'not-an-address',
  ])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2a00:1450:4001:80b::200e'])('lets %s through', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  const resolver =
    (answers: Record<string, string[]>): Resolve =>
    async (host) => {
      const list = answers[host];
      if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };

  it('refuses a name if any of its addresses is private, at creation', async () => {
    const dns = resolver({ 'public.example': ['93.184.215.14'], 'mixed.example': ['93.184.215.14', '10.0.0.5'], 'v6.example': ['::ffff:127.0.0.1'] });
    await expect(assertPublicTarget('https://public.example/hooks', dns)).resolves.toBeUndefined();
    await expect(assertPublicTarget('https://mixed.example/hooks', dns)).rejects.toBeInstanceOf(UnsafeTargetError);
    await expect(assertPublicTarget('https://v6.example/hooks', dns)).rejects.toThrow('::ffff:127.0.0.1');
    await expect(assertPublicTarget('http://localhost:3000/', dns)).rejects.toBeInstanceOf(UnsafeTargetError);
    // The same names written fully qualified (a trailing dot), whether or not this resolver knows them.
    await expect(assertPublicTarget('http://localhost.:3000/', dns)).rejects.toBeInstanceOf(UnsafeTargetError);
    await expect(assertPublicTarget('http://app.localhost./', dns)).rejects.toBeInstanceOf(UnsafeTargetError);
    await expect(assertPublicTarget('http://[::ffff:127.0.0.1]/', dns)).rejects.toBeInstanceOf(UnsafeTargetError);
    // Not resolvable (yet): each delivery checks again.
    await expect(assertPublicTarget('https://nowhere.example/', dns)).resolves.toBeUndefined();
  });

  it('hands the socket the address it checked, and refuses a name whose answer changed to a private one (rebinding)', async () => {
    let calls = 0;
    const rebinding: Resolve = async () => (calls++ === 0 ? [{ address: '93.184.215.14', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
    const lookup = guardedLookup(rebinding);
    const first = await new Promise<{ err: Error | null; address: string }>((resolve) => lookup('rebind.example', {}, (err, address) => resolve({ err, address: address as string })));
    expect(first).toEqual({ err: null, address: '93.184.215.14' });
    const second = await new Promise<{ err: Error | null }>((resolve) => lookup('rebind.example', {}, (err) => resolve({ err })));
    expect(second.err).toBeInstanceOf(UnsafeTargetError);
  });

  it('refuses at delivery a literal private address and a name that resolves to 127.0.0.1, sending nothing', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const guarded = { refusePrivateTargets: true, timeoutMs: 5_000 };
      for (const url of [receiver.url, `http://localhost:${receiver.port}/hooks`, `http://[::ffff:127.0.0.1]:${receiver.port}/hooks`]) {
        const result = await sendWebhook(url, 'evt_1', '{}', 'whsec_test', guarded);
        expect({ url, result }).toEqual({ url, result: { ok: false, statusCode: null, error: expect.stringMatching(/^refused: /), permanent: true } });
      }
      expect(receiver.received).toHaveLength(0);
      // The same receiver with private targets allowed (development, tests): delivered.
      expect(await sendWebhook(receiver.url, 'evt_1', '{}', 'whsec_test', { refusePrivateTargets: false, timeoutMs: 5_000 })).toEqual({ ok: true, statusCode: 200 });
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });
});
