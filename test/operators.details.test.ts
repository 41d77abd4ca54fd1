import { recordHistory } from './helpers/histories';
import { eventually, holdOnNewShowtime } from './helpers/reservations';
import { useTestStack } from './helpers/stack';

/** The SDK's built-in query the Web UI reads a workflow's current details with. */
const METADATA_QUERY = '__temporal_workflow_metadata';

/**
 * What an operator sees of a reservation in the Web UI besides its id: a static summary set at
 * start (seats, movie, showtime) and current details the workflow keeps up to date (status and
 * expiry, or the payment). test/operators.webui.test.ts reads them in the Web UI itself.
 */
describe('reservation workflows: summary and current details for operators', () => {
  const { stack, api } = useTestStack({ webhooks: false, env: { HOLD_TTL_SECONDS: '600' } });
  const details = async (workflowId: string) => ((await stack.client.workflow.getHandle(workflowId).query<{ currentDetails?: string }>(METADATA_QUERY)).currentDetails ?? '');

  it('summarises seats, movie and showtime, and follows the status from hold to payment to cancel', async () => {
    const { user, reservation, show } = await holdOnNewShowtime(stack, api, {
      showtime: { basePrice: '10.00', rows: [{ row: 'A', seats: 4 }] },
      seats: (s) => [s.seats[0].id, s.seats[1].id],
    });
    const handle = stack.client.workflow.getHandle(reservation.workflow_id);
    const description = await handle.describe();
    const startsAt = `${show.startsAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    expect(await description.staticSummary()).toBe(`A1, A2 · ${show.movie.title} · ${startsAt}`);

    const expiry = `${String(reservation.expires_at).slice(0, 16).replace('T', ' ')} UTC`;
    expect(await eventually(async () => ((await details(reservation.workflow_id)).startsWith('**held**') ? details(reservation.workflow_id) : undefined))).toBe(
      `**held** until ${expiry}`,
    );

    const declined = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_declined' }, { token: user.token });
    expect(declined.status).toBe(402);
    expect(await details(reservation.workflow_id)).toBe(`**held** until ${expiry}; last payment failed: ${declined.body.detail}`);

    const paid = await api.post(`/reservations/${reservation.id}/confirm`, { payment_method: 'pm_card_visa' }, { token: user.token });
    expect(paid.status).toBe(200);
    expect(await details(reservation.workflow_id)).toBe(`**confirmed**: paid 20.00 (${paid.body.payment_id}); show at ${startsAt}`);

    expect((await api.post(`/reservations/${reservation.id}/cancel`, { reason: 'plans changed' }, { token: user.token })).status).toBe(200);
    expect(await details(reservation.workflow_id)).toBe('**cancelled**: refund 20.00; plans changed');
    await expect(handle.result()).resolves.toBe('cancelled');
    await recordHistory(handle, 'current-details-declined-confirmed-cancelled');
  });
});
