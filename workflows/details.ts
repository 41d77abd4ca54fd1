import type { ReservationState } from './shared';

const when = (iso: string | null): string => (iso ? `${iso.slice(0, 16).replace('T', ' ')} UTC` : 'unknown');

/**
 * What the Web UI shows as a reservation workflow's current details (Markdown): its status and
 * what it waits for, the expiry of a hold or the state of its payment. Pure, so workflows and
 * tests share it.
 */
export function currentDetails(s: ReservationState): string {
  const status = `**${s.status}**`;
  switch (s.status) {
    case 'held':
      return `${status} until ${when(s.hold_expires_at)}${s.hold_extensions > 0 ? ` (extended ${s.hold_extensions}x)` : ''}${s.last_payment_error ? `; last payment failed: ${s.last_payment_error}` : ''}`;
    case 'charging':
      return `${status} ${s.total_price ?? ''}; the payment is being taken`;
    case 'pending_payment':
      return `${status}: payment ${s.payment_id ?? ''} waits for the provider's verdict; hold until ${when(s.hold_expires_at)}`;
    case 'confirmed':
      return `${status}: paid ${s.total_price ?? ''} (${s.payment_id ?? 'no payment id'}); show at ${when(s.show_starts_at)}`;
    case 'cancelling':
      return `${status}: releasing the seats${s.payment_id ? ' and refunding' : ''}`;
    case 'cancelled':
      return `${status}: refund ${s.refund_amount ?? '0.00'}${s.cancel_reason ? `; ${s.cancel_reason}` : ''}`;
    case 'expired':
      return `${status} at ${when(s.hold_expires_at)}; the seats were released${s.refund_amount ? `; a late payment was refunded (${s.refund_amount})` : ''}`;
    case 'completed':
      return `${status}: the show of ${when(s.show_starts_at)} is over`;
    default:
      return status;
  }
}
