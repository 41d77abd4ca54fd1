import { createHash, createPublicKey, generateKeyPairSync, randomUUID, verify } from 'node:crypto';
import { ticketKeys } from '../src/tickets/keys';
import { signTicket } from '../src/tickets/secret';
import { stateQuery } from '../workflows/shared';
import { createUser } from './helpers/factories';
import { recordHistory } from './helpers/histories';
import { eventually, holdOnNewShowtime, waitForStatus } from './helpers/reservations';
import { useTestStack } from './helpers/stack';

/** Tickets and admission (issue 18) over HTTP, on the real dev server and Postgres. */
describe('tickets and check-in', () => {
  const { stack, api } = useTestStack({ env: { CANCELLATION_CUTOFF_MINUTES: '60', DOORS_OPEN_MINUTES: '60' } });
  let staff: Awaited<ReturnType<typeof createUser>>;
  beforeAll(async () => {
    staff = await createUser(stack.knex, stack.config.jwtSecret, 'staff');
  });

  /** A confirmed booking of `seats` seats on a new showtime starting in `startsInMinutes`. */
  async function booking(opts: { seats?: number; startsInMinutes?: number; paymentMethod?: string } = {}) {
    const held = await holdOnNewShowtime(stack, api, {
      showtime: { startsInMinutes: opts.startsInMinutes ?? 30, rows: [{ row: 'A', seats: 4 }] },
      seats: (show) => show.seats.slice(0, opts.seats ?? 2).map((s) => s.id),
    });
    const res = await api.post(`/reservations/${held.reservation.id}/confirm`, { payment_method: opts.paymentMethod ?? 'pm_card_visa' }, { token: held.user.token });
    expect([200, 202]).toContain(res.status);
    return held;
  }
  const ticketsOf = async (reservationId: string, token: string) => {
    const res = await api.get(`/reservations/${reservationId}/tickets`, { token });
    expect(res.status).toBe(200);
    return res.body as { tickets: { id: string; secret: string; status: string; seat_label: string; showtime_id: number; qr_svg: string; qr_png: string }[] };
  };
  const scan = (body: Record<string, unknown>, token = staff.token) => api.post('/checkin', { nonce: randomUUID(), ...body }, { token });
  const checkinsOf = async (ticketId: string) => Number((await stack.knex('checkins').where({ ticket_id: ticketId }).count({ n: '*' }))[0].n);

  it('issues one signed ticket per seat when a booking is confirmed, shown with QR codes and in the state query', async () => {
    const { user, reservation } = await booking();
    const view = await ticketsOf(reservation.id, user.token);
    expect(view.tickets).toHaveLength(2);
    expect(view.tickets.map((t) => t.seat_label)).toEqual(['A1', 'A2']);
    for (const t of view.tickets) {
      expect(t).toMatchObject({ status: 'issued', showtime_id: reservation.showtime_id });
      expect(t.qr_svg).toMatch(/^data:image\/svg\+xml;base64,/);
      expect(Buffer.from(t.qr_svg.split(',')[1], 'base64').toString()).toContain('<svg');
      expect(t.qr_png).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
      // Only the hash is stored.
      const row = await stack.knex('tickets').where({ id: t.id }).first();
      expect(row.secret_hash).toBe(createHash('sha256').update(t.secret).digest('hex'));
    }
    const state = await stack.client.workflow.getHandle(reservation.workflow_id).query(stateQuery);
    expect(state.tickets_issued.sort()).toEqual(view.tickets.map((t) => t.id).sort());
    expect(state.tickets_revoked).toEqual([]);

    // Staff see anyone's; another customer sees nothing.
    expect((await api.get(`/reservations/${reservation.id}/tickets`, { token: staff.token })).status).toBe(200);
    const stranger = await createUser(stack.knex, stack.config.jwtSecret);
    expect((await api.get(`/reservations/${reservation.id}/tickets`, { token: stranger.token })).body.code).toBe('RESERVATION_NOT_FOUND');
    expect((await api.get(`/reservations/not-a-uuid/tickets`, { token: user.token })).status).toBe(404);
    expect((await api.get(`/reservations/${reservation.id}/tickets`)).status).toBe(401);

    const page = await fetch(`${stack.baseUrl}/api/v1/reservations/${reservation.id}/tickets/print`, { headers: { authorization: `Bearer ${user.token}` } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain(view.tickets[0].secret);
    expect(html).toContain('<img src="data:image/png;base64,');
  });

  it('issues tickets when a payment is confirmed later by webhook', async () => {
    const { user, reservation } = await booking({ paymentMethod: 'pm_card_async' });
    await waitForStatus(api, user.token, reservation.id, 'confirmed');
    // The workflow issues them right after it marks the booking confirmed, so a moment later at most.
    await eventually(async () => (await ticketsOf(reservation.id, user.token)).tickets.length === 2);
    const handle = stack.client.workflow.getHandle(reservation.workflow_id);
    expect((await handle.query(stateQuery)).tickets_issued).toHaveLength(2);
    await recordHistory(handle, 'tickets-issued-via-webhook');
  });

  it('serves the public key that verifies a ticket offline, with nothing else', async () => {
    const { user, reservation } = await booking({ seats: 1 });
    const [ticket] = (await ticketsOf(reservation.id, user.token)).tickets;
    const res = await api.get('/tickets/public-key');
    expect(res.status).toBe(200);
    expect(res.body.algorithm).toBe('Ed25519');
    const [payload, signature] = ticket.secret.split('.').map((p) => Buffer.from(p, 'base64url'));
    expect(verify(null, payload, createPublicKey(res.body.public_key_pem), signature)).toBe(true);
    const raw = Buffer.from(res.body.public_key, 'base64');
    const fromRaw = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
    expect(verify(null, payload, fromRaw, signature)).toBe(true);
    // The payload names the ticket: format 1, its UUID, showtime and seat.
    expect(payload.subarray(1, 17).toString('hex')).toBe(ticket.id.replace(/-/g, ''));
  });

  it('admits a ticket once; a second scan answers already_used with when and where', async () => {
    const { user, reservation } = await booking({ seats: 1 });
    const [ticket] = (await ticketsOf(reservation.id, user.token)).tickets;
    const first = await scan({ secret: ticket.secret, showtime_id: reservation.showtime_id, gate: 'A' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ result: 'ok', ticket_id: ticket.id, seat_label: 'A1', checked_in_gate: 'A' });
    const second = await scan({ secret: ticket.secret, gate: 'B' });
    expect(second.body).toMatchObject({ result: 'already_used', checked_in_at: first.body.checked_in_at, checked_in_gate: 'A' });
    const scans = await stack.knex('checkin_scans').where({ ticket_id: ticket.id }).orderBy('id');
    expect(scans.map((s) => [s.result, s.gate, s.scanner_id])).toEqual([
      ['ok', 'A', staff.id],
      ['already_used', 'B', staff.id],
    ]);
    const view = await ticketsOf(reservation.id, user.token);
    expect(view.tickets[0].status).toBe('issued');
  });

  it('refuses forged, altered and truncated secrets with invalid, recording the scan but no check-in; a body that is no scan is 422', async () => {
    const { user, reservation } = await booking({ seats: 1 });
    const [ticket] = (await ticketsOf(reservation.id, user.token)).tickets;
    const [payload, signature] = ticket.secret.split('.');
    const claims = { ticketId: ticket.id, showtimeId: reservation.showtime_id, seatId: reservation.seats[0].seat_id };
    const otherSeat = Buffer.from(payload, 'base64url');
    otherSeat.writeUInt32BE(claims.seatId + 1, 21);
    const secrets = {
      forged: signTicket(generateKeyPairSync('ed25519').privateKey, claims),
      altered_payload: `${otherSeat.toString('base64url')}.${signature}`,
      altered_signature: `${payload}.${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`,
      truncated: ticket.secret.slice(0, 40),
      garbage: 'hello',
      // Signed with the server's own key (the test stack's) but never issued.
      unknown_ticket: signTicket(ticketKeys(stack.config.tickets.signingPrivateKey).privateKey, { ...claims, ticketId: randomUUID() }),
    };
    for (const [name, secret] of Object.entries(secrets)) {
      const res = await scan({ secret });
      expect({ name, status: res.status, result: res.body.result }).toEqual({ name, status: 200, result: 'invalid' });
      expect(res.body.reason).toBe(name === 'unknown_ticket' ? 'unknown_ticket' : 'bad_signature');
    }
    for (const body of [{}, { secret: 42 }, { secret: '' }, { secret: ['x'] }, { secret: ticket.secret, nonce: '' }, { secret: ticket.secret, nonce: 7 }]) {
      const res = await api.post('/checkin', body, { token: staff.token });
      expect({ body, status: res.status, code: res.body.code }).toEqual({ body, status: 422, code: 'VALIDATION_ERROR' });
    }
    expect((await api.post('/checkin', undefined, { token: staff.token, raw: '{"secret":' })).status).toBe(400);
    expect(await checkinsOf(ticket.id)).toBe(0);
    expect((await scan({ secret: ticket.secret })).body.result).toBe('ok');
    // Customers cannot scan.
    expect((await scan({ secret: ticket.secret }, user.token)).status).toBe(403);
  });

  it('refuses a ticket revoked by a cancel, and the state query shows it revoked', async () => {
    const { user, reservation } = await booking({ seats: 2, startsInMinutes: 24 * 60 });
    const { tickets } = await ticketsOf(reservation.id, user.token);
    const cancel = await api.post(`/reservations/${reservation.id}/cancel`, {}, { token: user.token });
    expect(cancel.status).toBe(200);
    const handle = stack.client.workflow.getHandle(reservation.workflow_id);
    const state = await handle.query(stateQuery);
    expect(state.tickets_revoked.sort()).toEqual(tickets.map((t) => t.id).sort());
    const res = await scan({ secret: tickets[0].secret });
    expect(res.body).toMatchObject({ result: 'revoked', ticket_id: tickets[0].id });
    expect((await ticketsOf(reservation.id, user.token)).tickets.map((t) => t.status)).toEqual(['revoked', 'revoked']);
    expect(await checkinsOf(tickets[0].id)).toBe(0);
    await recordHistory(handle, 'tickets-issued-then-revoked-by-cancel');
  });

  it('answers too_early before doors open and wrong_showtime at another showtime', async () => {
    const { user, reservation, show } = await booking({ seats: 1, startsInMinutes: 3 * 60 });
    const [ticket] = (await ticketsOf(reservation.id, user.token)).tickets;
    const early = await scan({ secret: ticket.secret });
    expect(early.body).toMatchObject({ result: 'too_early', doors_open_at: new Date(show.startsAt.getTime() - 60 * 60_000).toISOString() });
    const wrong = await scan({ secret: ticket.secret, showtime_id: reservation.showtime_id + 100000 });
    expect(wrong.body.result).toBe('wrong_showtime');
    expect(await checkinsOf(ticket.id)).toBe(0);
  });

  it('20 concurrent scans of one ticket at two gates give exactly one ok', async () => {
    const { user, reservation } = await booking({ seats: 1 });
    const [ticket] = (await ticketsOf(reservation.id, user.token)).tickets;
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => scan({ secret: ticket.secret, gate: i % 2 ? 'A' : 'B' })));
    const results = answers.map((a) => a.body.result);
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'already_used')).toHaveLength(19);
    expect(await checkinsOf(ticket.id)).toBe(1);
    expect(Number((await stack.knex('checkin_scans').where({ ticket_id: ticket.id }).count({ n: '*' }))[0].n)).toBe(20);
    const report = await api.get(`/showtimes/${reservation.showtime_id}/report`, { token: staff.token });
    expect(report.body).toMatchObject({ seats_sold: 1, seats_checked_in: 1 });
  });

  it('a repeated nonce gets the first answer again, even sent concurrently, never already_used', async () => {
    const { user, reservation } = await booking({ seats: 1 });
    const [ticket] = (await ticketsOf(reservation.id, user.token)).tickets;
    const nonce = randomUUID();
    const first = await scan({ secret: ticket.secret, gate: 'A', nonce });
    expect(first.body.result).toBe('ok');
    const retry = await scan({ secret: ticket.secret, gate: 'A', nonce });
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect((await scan({ secret: ticket.secret, gate: 'A' })).body.result).toBe('already_used');

    const [other] = (await ticketsOf((await booking({ seats: 1 })).reservation.id, staff.token)).tickets;
    const together = randomUUID();
    const burst = await Promise.all(Array.from({ length: 5 }, () => scan({ secret: other.secret, nonce: together })));
    expect(burst.map((r) => r.body.result)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(new Set(burst.map((r) => r.body.checked_in_at)).size).toBe(1);
    expect(Number((await stack.knex('checkin_scans').where({ ticket_id: other.id }).count({ n: '*' }))[0].n)).toBe(1);
  });

  it('reconciles offline uploads first-scan-wins, reporting the conflicts, and a re-upload changes nothing', async () => {
    const { user, reservation } = await booking({ seats: 3 });
    const [a, b, c] = (await ticketsOf(reservation.id, user.token)).tickets;
    // Ticket c is admitted online now; an offline scanner admitted it a minute earlier.
    expect((await scan({ secret: c.secret, gate: 'online' })).body.result).toBe('ok');
    const ago = (s: number) => new Date(Date.now() - s * 1000).toISOString();
    const upload = {
      showtime_id: reservation.showtime_id,
      gate: 'offline',
      scans: [
        { secret: a.secret, nonce: randomUUID(), scanned_at: ago(30) }, // a second scan of a, later
        { secret: a.secret, nonce: randomUUID(), scanned_at: ago(90), gate: 'side door' }, // the first scan of a
        { secret: b.secret, nonce: randomUUID(), scanned_at: ago(80) },
        { secret: c.secret, nonce: randomUUID(), scanned_at: ago(60) },
        { secret: 'garbage', nonce: randomUUID(), scanned_at: ago(70) },
      ],
    };
    const res = await api.post('/checkin/batch', upload, { token: staff.token });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { result: string }) => r.result)).toEqual(['already_used', 'ok', 'ok', 'ok', 'invalid']);
    expect(res.body.results[0]).toMatchObject({ checked_in_at: upload.scans[1].scanned_at, checked_in_gate: 'side door' });
    expect(res.body.results[3].displaced).toMatchObject({ gate: 'online' });
    expect(res.body.conflicts).toEqual([
      expect.objectContaining({ ticket_id: c.id, kind: 'displaced_later_admission', admitted_at: upload.scans[3].scanned_at }),
      expect.objectContaining({ ticket_id: a.id, kind: 'already_used', admitted_gate: 'side door' }),
    ]);
    const admissions = await stack.knex('checkins').whereIn('ticket_id', [a.id, b.id, c.id]).orderBy('checked_in_at');
    expect(admissions.map((r) => [r.ticket_id, r.gate])).toEqual([
      [a.id, 'side door'],
      [b.id, 'offline'],
      [c.id, 'offline'],
    ]);

    const again = await api.post('/checkin/batch', upload, { token: staff.token });
    expect(again.body.results.map((r: { result: string; replayed: boolean }) => [r.result, r.replayed])).toEqual(res.body.results.map((r: { result: string }) => [r.result, true]));
    for (const t of [a, b, c]) expect(await checkinsOf(t.id)).toBe(1);

    const future = await api.post('/checkin/batch', { scans: [{ secret: a.secret, nonce: randomUUID(), scanned_at: new Date(Date.now() + 3_600_000).toISOString() }] }, { token: staff.token });
    expect(future.status).toBe(422);
    expect((await api.post('/checkin/batch', { scans: [] }, { token: staff.token })).status).toBe(422);
  });

  it('gives scanners the check-in list: ids, statuses and secret hashes, no secrets', async () => {
    const { user, reservation } = await booking({ seats: 2 });
    const { tickets } = await ticketsOf(reservation.id, user.token);
    await scan({ secret: tickets[0].secret });
    const res = await api.get(`/showtimes/${reservation.showtime_id}/checkin-list`, { token: staff.token });
    expect(res.status).toBe(200);
    expect(res.body.tickets).toEqual([
      expect.objectContaining({ id: tickets[0].id, status: 'issued', secret_hash: createHash('sha256').update(tickets[0].secret).digest('hex'), checked_in_at: expect.any(String) }),
      expect.objectContaining({ id: tickets[1].id, status: 'issued', checked_in_at: null }),
    ]);
    expect(JSON.stringify(res.body)).not.toContain(tickets[0].secret);
    expect((await api.get(`/showtimes/${reservation.showtime_id}/checkin-list`, { token: user.token })).status).toBe(403);
    expect((await api.get(`/showtimes/999999999/checkin-list`, { token: staff.token })).status).toBe(404);
  });

  it('expires tickets when the show has ended: invalid, reason expired, and nothing admitted', async () => {
    const { user, reservation } = await booking({ seats: 1 });
    const [ticket] = (await ticketsOf(reservation.id, user.token)).tickets;
    await stack.knex('showtimes').where({ id: reservation.showtime_id }).update({ starts_at: new Date(Date.now() - 3 * 3_600_000), ends_at: new Date(Date.now() - 60_000) });
    const res = await scan({ secret: ticket.secret });
    expect(res.body).toMatchObject({ result: 'invalid', reason: 'expired' });
    expect(await checkinsOf(ticket.id)).toBe(0);
    expect((await ticketsOf(reservation.id, user.token)).tickets[0].status).toBe('expired');
    await eventually(async () => (await stack.knex('tickets').where({ id: ticket.id }).first()).status === 'expired');
  });
});
