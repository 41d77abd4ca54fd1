import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { chromium, type Browser } from 'playwright-core';
import { ensureTemporalCli } from '../scripts/temporalCli';
import { startDevServer } from '../scripts/devServer';
import { stateQuery } from '../workflows/shared';
import { createShowtime, createUser } from './helpers/factories';
import { parseHistory } from './helpers/histories';
import { waitForListing } from './helpers/operators';
import { freePort } from '../scripts/lib/ports';
import { activeSeatIds, eventually, holdSeats, waitForStatus } from './helpers/reservations';
import { useTestStack, type TestStack } from './helpers/stack';

/**
 * The runbook, in a real browser: the Temporal Web UI's workflow list filtered by the search
 * attributes finds a booking; its Queries tab runs `state`; More Actions -> Send a Signal
 * `cancel` with a reason cancels it; its history's Download replays. Debian's Chromium
 * (`apt-get install -y chromium`) is driven by playwright-core; no browser is downloaded.
 * Without Chromium the test is skipped, except in CI (CI=true), where it fails.
 *
 * `UPDATE_SCREENSHOTS=1 npx jest test/operators.webui` also saves the screenshot as
 * docs/webui-bookings.png, the picture the README's runbook shows.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const DOCS_SCREENSHOT = path.join(__dirname, '..', 'docs', 'webui-bookings.png');

const hasChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';
if (!hasChromium && !inCi) {
  console.warn(`operators.webui.test.ts skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
}
const describeWithBrowser = hasChromium || inCi ? describe : describe.skip;

describeWithBrowser('operators: the Temporal Web UI', () => {
  let uiServer: TestWorkflowEnvironment | undefined;
  let uiPort: number;
  let browser: Browser | undefined;

  // The hooks run in this order; the teardowns: the browser, the stack, then the UI's dev server.
  afterAll(async () => {
    await browser?.close();
  });
  beforeAll(async () => {
    if (!hasChromium) {
      throw new Error(`Chromium is not installed at ${CHROMIUM}: CI must install it (apt-get install -y chromium)`);
    }
    // Before the dev server creates the default runtime: worker state changes would flood the output.
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR') });
    } catch {
      // already installed by an earlier test file in this process
    }
    // The run's shared dev server has no UI: this test starts its own, with a worker on it.
    uiPort = await freePort();
    uiServer = await startDevServer({ executable: await ensureTemporalCli(), uiPort });
  }, 120_000);
  const { stack, api } = useTestStack(() => ({ env: { TEMPORAL_ADDRESS: (uiServer as TestWorkflowEnvironment).address, HOLD_TTL_SECONDS: '600' } }), 120_000);
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 120_000);
  afterAll(async () => {
    await uiServer?.teardown();
  });

  it('lists the held bookings of a showtime for the query ReservationStatus="held" AND ShowtimeId=<id>', async () => {
    const s = stack as TestStack;
    const show = await createShowtime(s.knex, { rows: [{ row: 'A', seats: 8 }] });
    const [alice, bob] = [await createUser(s.knex, s.config.jwtSecret), await createUser(s.knex, s.config.jwtSecret)];
    const hold = (token: string, seats: number[]) => holdSeats(api, token, show.id, seats.map((i) => show.seats[i].id));
    const held = [await hold(alice.token, [0, 1]), await hold(bob.token, [2])];
    const booked = await hold(bob.token, [3]);
    expect((await api.post(`/reservations/${booked.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: bob.token })).status).toBe(200);

    const query = `ReservationStatus="held" AND ShowtimeId=${show.id}`;
    const heldIds = held.map((h) => h.workflow_id);
    expect(await waitForListing(s.client, query, heldIds)).toEqual([...heldIds].sort());

    const page = await (browser as Browser).newPage({ viewport: { width: 1440, height: 560 } });
    try {
      const url = `http://127.0.0.1:${uiPort}/namespaces/default/workflows?query=${encodeURIComponent(query)}`;
      await page.goto(url, { waitUntil: 'domcontentloaded' });
      for (const id of heldIds) await page.getByText(id, { exact: true }).first().waitFor({ timeout: 30_000 });
      await page.getByText(/^2 Workflows$/).first().waitFor({ timeout: 10_000 });
      const text = await page.locator('body').innerText();
      expect(text).not.toContain(booked.workflow_id);
      // For the picture: show the query as typed, and give the table the width. Best effort, as
      // these controls belong to the UI's version, not to what this test checks.
      await page.locator('[data-testid="toggle-manual-query"]').click({ timeout: 3_000 }).catch(() => undefined);
      await page.locator('button[aria-label="Collapse saved views"]').click({ timeout: 3_000 }).catch(() => undefined);
      await page.waitForTimeout(300);

      const shot = path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), 'webui-bookings.png');
      await page.screenshot({ path: shot });
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      if (process.env.UPDATE_SCREENSHOTS === '1') {
        mkdirSync(path.dirname(DOCS_SCREENSHOT), { recursive: true });
        copyFileSync(shot, DOCS_SCREENSHOT);
      }
    } finally {
      await page.close();
    }
  }, 120_000);

  it('shows each reservation\'s summary (seats, movie, showtime) and its current details (status, expiry)', async () => {
    const s = stack as TestStack;
    const show = await createShowtime(s.knex, { rows: [{ row: 'A', seats: 4 }] });
    const customer = await createUser(s.knex, s.config.jwtSecret);
    const booking = await holdSeats(api, customer.token, show.id, [show.seats[0].id, show.seats[1].id]);
    await eventually(async () => (await s.client.workflow.getHandle(booking.workflow_id).query(stateQuery)).status === 'held');
    const summary = `A1, A2 · ${show.movie.title}`;
    const expiry = `${String(booking.expires_at).slice(0, 16).replace('T', ' ')} UTC`;

    const page = await (browser as Browser).newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await page.goto(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/${booking.workflow_id}`, { waitUntil: 'domcontentloaded' });
      // The User Metadata tab: the static summary on the left, the current details on the right.
      await page.getByText('User Metadata', { exact: true }).first().click({ timeout: 30_000 });
      // The UI renders both as Markdown in sandboxed frames of their own: read the text of every frame.
      const shown = await eventually(async () => {
        const texts = await Promise.all(page.frames().map((f) => f.locator('body').innerText({ timeout: 1_000 }).catch(() => '')));
        const text = texts.join('\n');
        return text.includes(summary) && text.includes(`held until ${expiry}`) ? text : undefined;
      }, 30_000);
      expect(shown).toContain('Current Details');
    } finally {
      await page.close();
    }
  }, 120_000);

  it('reads the state query on the Queries tab and cancels with More Actions -> Send a Signal "cancel" and a reason', async () => {
    const s = stack as TestStack;
    const show = await createShowtime(s.knex, { rows: [{ row: 'A', seats: 2 }] });
    const customer = await createUser(s.knex, s.config.jwtSecret);
    const res = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: customer.token });
    expect(res.status).toBe(201);
    const booking = res.body as { id: string; workflow_id: string };
    await eventually(async () => (await s.client.workflow.getHandle(booking.workflow_id).query(stateQuery)).status === 'held');

    const page = await (browser as Browser).newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await page.goto(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/${booking.workflow_id}`, { waitUntil: 'domcontentloaded' });
      await page.getByText('Queries', { exact: true }).first().click({ timeout: 30_000 });
      // `state` is the workflow's only query, so the tab has it selected already.
      await expect(page.locator('[data-testid="query-select"]').inputValue()).resolves.toBe('state');
      await page.getByRole('button', { name: 'Run Query' }).click();
      await page.getByText(`"reservation_id": "${booking.id}"`).first().waitFor({ timeout: 15_000 });
      const body = await page.locator('body').innerText();
      const shown = body.slice(body.indexOf('{', body.indexOf('JSON Formatting')), body.lastIndexOf('}') + 1);
      expect(JSON.parse(shown)).toMatchObject({ reservation_id: booking.id, status: 'held', total_price: '10.00', cancel_reason: null });

      const reason = 'customer called the box office';
      await page.getByRole('button', { name: 'More Actions' }).first().click();
      await page.locator('text=Send a Signal >> visible=true').first().click();
      // The page renders its header twice (wide and narrow layouts): the open dialog is the one in use.
      const modal = page.locator('dialog[data-testid="signal-confirmation-modal"][open]');
      await modal.getByTestId('signal-select-button').click();
      await page.getByRole('option', { name: 'cancel', exact: true }).click();
      const editor = modal.locator('.cm-content');
      await editor.click();
      await page.keyboard.insertText(JSON.stringify({ reason, requested_by: 'operator' }));
      // Leaving the editor reformats the JSON and moves the buttons: leave it first, then submit.
      await editor.blur();
      await eventually(async () => (await editor.innerText()).includes('\n'), 5_000).catch(() => undefined);
      await modal.getByTestId('confirm-modal-button').click();

      const cancelled = await waitForStatus(api, customer.token, booking.id, 'cancelled');
      expect(cancelled).toMatchObject({ cancel_reason: reason, refund_amount: '0.00' });
      expect(await activeSeatIds(s.knex, show.id)).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('downloads a booking\'s history from its page, and that file replays on the current workflow code', async () => {
    const s = stack as TestStack;
    const show = await createShowtime(s.knex, { rows: [{ row: 'A', seats: 2 }] });
    const customer = await createUser(s.knex, s.config.jwtSecret);
    const res = await api.post('/reservations', { showtime_id: show.id, seat_ids: [show.seats[0].id] }, { token: customer.token });
    expect(res.status).toBe(201);
    const booking = res.body as { id: string; workflow_id: string };
    expect((await api.post(`/reservations/${booking.id}/cancel`, { reason: 'replay me' }, { token: customer.token })).status).toBe(200);
    await s.client.workflow.getHandle(booking.workflow_id).result();

    const page = await (browser as Browser).newPage({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    try {
      await page.goto(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/${booking.workflow_id}`, { waitUntil: 'domcontentloaded' });
      await page.locator('[data-testid="download"]').click({ timeout: 30_000 });
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: 30_000 }),
        page.locator('[data-testid="confirm-modal-button"]:visible', { hasText: 'Download' }).click(),
      ]);
      const file = path.join(process.env.TEST_TMP_DIR ?? os.tmpdir(), `webui-${booking.id}.json`);
      await download.saveAs(file);
      const history = parseHistory(JSON.parse(readFileSync(file, 'utf8')));
      expect(history.events?.length).toBeGreaterThan(5);
      await Worker.runReplayHistory({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE as string } }, history, booking.workflow_id);
    } finally {
      await page.close();
    }
  }, 120_000);
});
