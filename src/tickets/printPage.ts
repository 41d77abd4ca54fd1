import type { ReservationTickets } from './view';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/**
 * The printable ticket page: one ticket per page when printed, each with its QR code as an
 * image (the PNG data URL, which every browser prints) and the secret in text for manual entry.
 * Everything from the database is escaped: a movie title is an admin's free text.
 */
export function ticketsPage(view: ReservationTickets): string {
  const when = new Date(view.starts_at).toUTCString();
  const tickets = view.tickets
    .map(
      (t) => `<section class="ticket${t.status === 'issued' ? '' : ' void'}">
  <h2>${escapeHtml(view.movie_title)}</h2>
  <p class="when">${escapeHtml(when)}</p>
  <p>${escapeHtml(view.auditorium_name)} &middot; Seat <strong>${escapeHtml(t.seat_label)}</strong></p>
  ${t.status === 'issued' ? '' : `<p class="status">${escapeHtml(t.status.toUpperCase())}</p>`}
  <img src="${t.qr_png}" alt="QR code of ticket ${escapeHtml(t.id)}" width="240" height="240">
  <p class="secret">${escapeHtml(t.secret)}</p>
  <p class="id">Ticket ${escapeHtml(t.id)}</p>
</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Tickets: ${escapeHtml(view.movie_title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1rem; }
.ticket { border: 2px dashed #444; padding: 1rem; margin: 0 auto 1rem; max-width: 22rem; text-align: center; page-break-after: always; }
.ticket.void { opacity: .5; }
.status { font-weight: bold; color: #b00; }
.secret { font-family: monospace; font-size: .6rem; word-break: break-all; }
.id { font-size: .7rem; color: #666; }
@media print { body { margin: 0; } .ticket { border-color: #000; } }
</style>
</head>
<body>
${tickets || '<p>No tickets yet: they are issued when the booking is confirmed.</p>'}
</body>
</html>
`;
}
