import { Worker } from '@temporalio/worker';
import { searchAttributes, stateQuery } from '../workflows/shared';
import { createShowtime, createUser } from './helpers/factories';
import { recordHistory } from './helpers/histories';
import { activeSeatIds, eventually, holdOnNewShowtime, holdSeats, waitForStatus } from './helpers/reservations';
import { useTestStack } from './helpers/stack';

const TTL_MS = 600_000;
const later = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

describe('POST /reservations/:id/extend', () => {
  const { stack, api } = useTestStack({ env: { HOLD_TTL_SECONDS: '600', HOLD_MAX_EXTENSIONS: '2' }, webhooks: false });

  it('moves a hold HOLD_TTL_SECONDS past its current expiry, in the row, the workflow and its search attribute, at most twice', async () => {
    const { user, reservation } = await holdOnNewShowtime(stack, api);
    const first = await api.post(`/reservations/${reservation.id}/extend`, undefined, { token: user.token });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: reservation.id, status: 'held', expires_at: later(reservation.expires_at, TTL_MS), seats: reservation.seats });

    // A retry under one Idempotency-Key is one extension, answered alike.
    const headers = { 'idempotency-key': `extend-${reservation.id}` };
    const second = await api.post(`/reservations/${reservation.id}/extend`, undefined, { token: user.token, headers });
    const again = await api.post(`/reservations/${reservation.id}/extend`, undefined, { token: user.token, headers });
    expect([second.status, again.status]).toEqual([200, 200]);
    expect(second.body.expires_at).toBe(later(reservation.expires_at, 2 * TTL_MS));
    expect(again.body.expires_at).toBe(second.body.expires_at);

    const third = await api.post(`/reservations/${reservation.id}/extend`, undefined, { token: user.token });
    expect(third.status).toBe(409);
    expect(third.body).toMatchObject({ code: 'EXTENSION_LIMIT', detail: expect.stringContaining('at most 2 times') });

    expect((await api.get(`/reservations/${reservation.id}`, { token: user.token })).body.expires_at).toBe(second.body.expires_at);
    const row = await stack.knex('reservations').where({ id: reservation.id }).first('status', 'hold_expires_at');
    expect({ status: row.status, expires_at: new Date(row.hold_expires_at).toISOString() }).toEqual({ status: 'held', expires_at: second.body.expires_at });
    const handle = stack.client.workflow.getHandle(reservation.workflow_id);
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'held', hold_expires_at: second.body.expires_at, hold_extensions: 2 });
    const attribute = (await handle.describe()).typedSearchAttributes.get(searchAttributes.HoldExpiresAt);
    expect(attribute?.toISOString()).toBe(second.body.expires_at);
    await api.post(`/reservations/${reservation.id}/cancel`, undefined, { token: user.token });
  });

  it('an extension racing a cancel: both may win, in that order; the history replays (the two row writes once ran side by side and did not)', async () => {
    const show = await createShowtime(stack.knex, { startsInMinutes: 300, rows: [{ row: 'A', seats: 10 }] });
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    let race: { workflowId: string } | undefined;
    // The two must reach the workflow in one task for the race to happen: try a few times.
    for (let i = 0; i < 10 && !race; i++) {
      const held = await holdSeats(api, user.token, show.id, [show.seats[i].id]);
      const [extended, cancelled] = await Promise.all([
        api.post(`/reservations/${held.id}/extend`, undefined, { token: user.token }),
        api.post(`/reservations/${held.id}/cancel`, undefined, { token: user.token }),
      ]);
      expect(cancelled.status).toBe(200);
      expect([200, 409]).toContain(extended.status);
      const row = await stack.knex('reservations').where({ id: held.id }).first('status', 'hold_expires_at');
      expect(row.status).toBe('cancelled');
      if (extended.status === 200) {
        expect(new Date(row.hold_expires_at).toISOString()).toBe(extended.body.expires_at);
        race = { workflowId: held.workflow_id };
      }
    }
    if (!race) return; // the machine was too slow to race them; nothing to check
    const handle = stack.client.workflow.getHandle(race.workflowId);
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'cancelled' });
    const history = await handle.fetchHistory();
    await expect(Worker.runReplayHistory({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE as string } }, history, race.workflowId)).resolves.toBeUndefined();
    await recordHistory(handle, 'hold-extended-then-cancelled');
  });

  it("clamps at the showtime's start, then refuses: nothing is left to gain", async () => {
    const { user, show, reservation } = await holdOnNewShowtime(stack, api, { showtime: { startsInMinutes: 15 } });
    const clamped = await api.post(`/reservations/${reservation.id}/extend`, undefined, { token: user.token });
    expect(clamped.status).toBe(200);
    expect(clamped.body.expires_at).toBe(show.startsAt.toISOString());
    const refused = await api.post(`/reservations/${reservation.id}/extend`, undefined, { token: user.token });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'EXTENSION_LIMIT', detail: expect.stringContaining("showtime's start") });
    await api.post(`/reservations/${reservation.id}/cancel`, undefined, { token: user.token });
  });

  it("is the owner's: another user, staff or an admin gets 404 and nothing moves", async () => {
    const { reservation } = await holdOnNewShowtime(stack, api);
    for (const role of ['user', 'staff', 'admin'] as const) {
      const other = await createUser(stack.knex, stack.config.jwtSecret, role);
      const res = await api.post(`/reservations/${reservation.id}/extend`, undefined, { token: other.token });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('RESERVATION_NOT_FOUND');
    }
    const row = await stack.knex('reservations').where({ id: reservation.id }).first('hold_expires_at');
    expect(new Date(row.hold_expires_at).toISOString()).toBe(reservation.expires_at);
  });

  it('refuses a pending payment, a booking and a cancelled reservation with 409 INVALID_STATE', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    const show = await createShowtime(stack.knex);
    const [pending, booked, cancelled] = [
      await holdSeats(api, user.token, show.id, [show.seats[0].id]),
      await holdSeats(api, user.token, show.id, [show.seats[1].id]),
      await holdSeats(api, user.token, show.id, [show.seats[2].id]),
    ];
    expect((await api.post(`/reservations/${pending.id}/confirm`, { payment_method: 'pm_card_async' }, { token: user.token })).status).toBe(202);
    expect((await api.post(`/reservations/${booked.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token })).status).toBe(200);
    expect((await api.post(`/reservations/${cancelled.id}/cancel`, undefined, { token: user.token })).status).toBe(200);
    for (const [r, status] of [[pending, 'pending_payment'], [booked, 'confirmed'], [cancelled, 'cancelled']] as const) {
      const res = await api.post(`/reservations/${r.id}/extend`, undefined, { token: user.token });
      expect({ status: res.status, code: res.body.code, detail: res.body.detail }).toEqual({ status: 409, code: 'INVALID_STATE', detail: expect.stringContaining(status) });
    }
    // Even sent straight to the workflow (as a retry under a key would be), a pending payment is refused.
    const keyed = await api.post(`/reservations/${pending.id}/extend`, undefined, { token: user.token, headers: { 'idempotency-key': `k-${pending.id}` } });
    expect({ status: keyed.status, code: keyed.body.code }).toEqual({ status: 409, code: 'INVALID_STATE' });
    await api.post(`/reservations/${booked.id}/cancel`, undefined, { token: user.token });
  });

  it('answers 404 for an unknown or malformed id', async () => {
    const user = await createUser(stack.knex, stack.config.jwtSecret);
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
      expect((await api.post(`/reservations/${id}/extend`, undefined, { token: user.token })).status).toBe(404);
    }
  });
});

/**
 * An extension racing the expiry timer: many holds, each extended at a moment spread around its
 * deadline. Each answer must match the end state: a 200 means the hold lived on to the new expiry
 * (row, workflow and release all say so); a 409 HOLD_EXPIRED means it expired at the old one.
 */
describe('an extension racing the expiry timer', () => {
  const TTL_S = 3;
  const { stack, api } = useTestStack({ env: { HOLD_TTL_SECONDS: String(TTL_S), HOLD_MAX_EXTENSIONS: '2' }, webhooks: false });
  const OFFSETS_MS = [-2500, -400, -200, -100, -50, -20, 0, 20, 50, 100, 200, 400, 2000];

  it('has exactly one winner each time, and the API, the database and the workflow agree on which', async () => {
    const holds = [];
    // The earliest extension's hold is made last, so slow hold-making cannot eat its margin.
    for (const offset of [...OFFSETS_MS].reverse()) holds.push({ offset, ...(await holdOnNewShowtime(stack, api)) });
    const answers = await Promise.all(
      holds.map(async (h) => {
        const wait = Date.parse(h.reservation.expires_at) + h.offset - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const res = await api.post(`/reservations/${h.reservation.id}/extend`, undefined, { token: h.user.token });
        return { ...h, status: res.status, body: res.body };
      }),
    );

    let won = 0;
    let lost = 0;
    for (const a of answers) {
      const handle = stack.client.workflow.getHandle(a.reservation.workflow_id);
      expect(await handle.result()).toBe('expired');
      const state = await handle.query(stateQuery);
      const row = await stack.knex('reservations').where({ id: a.reservation.id }).first('status', 'hold_expires_at', 'expired_at');
      const rowExpiry = new Date(row.hold_expires_at).toISOString();
      expect(row.status).toBe('expired');
      expect(await activeSeatIds(stack.knex, a.show.id)).toEqual([]);
      if (a.status === 200) {
        won += 1;
        const extended = later(a.reservation.expires_at, TTL_S * 1000);
        expect(a.body).toMatchObject({ status: 'held', expires_at: extended });
        expect({ row: rowExpiry, workflow: state.hold_expires_at, extensions: state.hold_extensions }).toEqual({ row: extended, workflow: extended, extensions: 1 });
        // Not released at the old deadline: the seats were kept until the new one.
        expect(new Date(row.expired_at).getTime()).toBeGreaterThanOrEqual(Date.parse(extended));
      } else {
        lost += 1;
        expect({ status: a.status, code: a.body.code }).toEqual({ status: 409, code: 'HOLD_EXPIRED' });
        expect({ row: rowExpiry, workflow: state.hold_expires_at, extensions: state.hold_extensions }).toEqual({
          row: a.reservation.expires_at,
          workflow: a.reservation.expires_at,
          extensions: 0,
        });
      }
    }
    // The first is sent with 2.5 s to spare, the last 2 s after the deadline: both outcomes occur.
    expect(won).toBeGreaterThan(0);
    expect(lost).toBeGreaterThan(0);
    const winner = answers.find((a) => a.status === 200);
    if (winner) await recordHistory(stack.client.workflow.getHandle(winner.reservation.workflow_id), 'hold-extended-then-expired');
  }, 120_000);
});

describe('extensions turned off', () => {
  const { stack, api } = useTestStack({ env: { HOLD_MAX_EXTENSIONS: '0' }, webhooks: false });

  it('refuses every extension with 409 EXTENSION_LIMIT', async () => {
    const { user, reservation } = await holdOnNewShowtime(stack, api);
    const res = await api.post(`/reservations/${reservation.id}/extend`, undefined, { token: user.token });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'EXTENSION_LIMIT', detail: expect.stringContaining('at most 0 times') });
    await waitForStatus(api, user.token, reservation.id, 'held');
    await eventually(async () => (await api.post(`/reservations/${reservation.id}/cancel`, undefined, { token: user.token })).status === 200);
  });
});
