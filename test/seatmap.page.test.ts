import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createShowtime } from './helpers/factories';
import { apiClient } from './helpers/http';
import { eventually } from './helpers/reservations';
import { useTestStack } from './helpers/stack';

/**
 * The seat-map page (/seatmap/:showtime_id) in a real browser, two people at once: one signs
 * in, picks a seat, holds and pays for it; the other, who never reloads, watches it turn held,
 * then booked. Debian's Chromium (`apt-get install -y chromium`) driven by playwright-core, as in
 * operators.webui.test.ts: skipped without it, except in CI (CI=true), where it fails.
 *
 * `UPDATE_SCREENSHOTS=1 npx jest test/seatmap.page` also saves docs/seatmap-holder.png and
 * docs/seatmap-watcher.png, the pictures in the README.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DOCS = path.join(__dirname, '..', 'docs');
const hasChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';
if (!hasChromium && !inCi) console.warn(`seatmap.page.test.ts skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
const describeWithBrowser = hasChromium || inCi ? describe : describe.skip;

describeWithBrowser('the seat-map page', () => {
  const { stack } = useTestStack({ env: { SEAT_EVENTS_MAX_STREAMS_PER_ADDRESS: '0' } }, 60_000);
  let browser: Browser;
  beforeAll(async () => {
    if (!hasChromium) throw new Error(`Chromium is not installed at ${CHROMIUM}: CI must install it (apt-get install -y chromium)`);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  const seat = (page: Page, seatId: number) => page.locator(`rect[data-seat-id="${seatId}"]`);
  async function save(page: Page, name: string) {
    const shot = path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), name);
    await page.screenshot({ path: shot });
    expect(statSync(shot).size).toBeGreaterThan(5_000);
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      mkdirSync(DOCS, { recursive: true });
      copyFileSync(shot, path.join(DOCS, name));
    }
  }

  it('one context holds and pays for a seat; the other sees it turn held, then booked, without a reload', async () => {
    const rows = ['A', 'B', 'C', 'D', 'E', 'F'].map((row) => ({ row, seats: 14 }));
    const show = await createShowtime(stack.knex, { rows });
    // A few seats already gone, so the picture shows every state.
    const api = apiClient(stack.baseUrl);
    const other = await api.post('/auth/user/signup', { name: 'Other', email: `other-${randomUUID()}@example.test`, password: 'a long enough password' });
    const taken = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[20].id, show.seats[21].id] }, { token: other.body.access_token });
    expect(taken.status).toBe(201);
    expect((await api.post(`/reservations/${taken.body.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: other.body.access_token })).status).toBe(200);
    await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[50].id] }, { token: other.body.access_token });

    const email = `viewer-${randomUUID()}@example.test`;
    const url = `${stack.baseUrl}/seatmap/${show.id}`;
    const [holderCtx, watcherCtx] = [await browser.newContext({ viewport: { width: 1100, height: 640 } }), await browser.newContext({ viewport: { width: 1100, height: 640 } })];
    try {
      const [holder, watcher] = [await holderCtx.newPage(), await watcherCtx.newPage()];
      for (const p of [holder, watcher]) {
        const res = await p.goto(url);
        expect(res?.status()).toBe(200);
        await p.locator('#live[data-state="live"]').waitFor();
        await seat(p, show.seats[0].id).waitFor();
      }
      expect(await seat(watcher, show.seats[20].id).getAttribute('data-status')).toBe('booked');
      // Would be lost by a reload.
      await watcher.evaluate(() => Object.assign(globalThis, { notReloaded: true }));

      await holder.fill('input[name=email]', email);
      await holder.fill('input[name=password]', 'a long enough password');
      await holder.fill('input[name=name]', 'Seat Picker');
      await holder.click('button[value=signup]');
      await holder.locator('#booking:not([hidden])').waitFor();
      const picks = [show.seats[33].id, show.seats[34].id];
      for (const id of picks) await seat(holder, id).click();
      await holder.click('#hold');
      await holder.getByText(/Seats held: C6, C7/).waitFor();
      await holder.locator('#countdown').filter({ hasText: /^(9|10):\d\d$/ }).waitFor();

      for (const id of picks) await watcher.locator(`rect[data-seat-id="${id}"][data-status="held"]`).waitFor({ timeout: 2_000 });
      expect(await watcher.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);
      await save(holder, 'seatmap-holder.png');
      await save(watcher, 'seatmap-watcher.png');

      await holder.selectOption('#card', 'pm_card_visa');
      await holder.click('#confirm');
      await holder.getByText(/Booked!/).waitFor();
      for (const id of picks) await watcher.locator(`rect[data-seat-id="${id}"][data-status="booked"]`).waitFor({ timeout: 2_000 });
      expect(await watcher.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(true);

      // Best available: the server picks a block of three, and the watcher sees it held.
      const heldBefore = await watcher.locator('rect[data-status="held"]').count();
      await holder.fill('#quantity', '3');
      await holder.click('#best');
      await holder.getByText(/Seats held: /).waitFor();
      await eventually(async () => (await watcher.locator('rect[data-status="held"]').count()) === heldBefore + 3, 2_000);
    } finally {
      await holderCtx.close();
      await watcherCtx.close();
    }
  }, 60_000);

  it('serves the page only for a showtime id, with a strict Content-Security-Policy', async () => {
    const ok = await fetch(`${stack.baseUrl}/seatmap/1`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${stack.baseUrl}/seatmap/assets/seatmap.js`)).headers.get('content-type')).toMatch(/javascript/);
    const bad = await fetch(`${stack.baseUrl}/seatmap/abc`);
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ code: 'VALIDATION_ERROR' });
  });
});
