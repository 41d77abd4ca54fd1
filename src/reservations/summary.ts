/**
 * The one line the Web UI's workflow list shows for a reservation instead of its bare id: seats,
 * movie and showtime (no customer data: anyone with Web UI access reads it, and it stays in history).
 */
export function reservationSummary(seatLabels: string[], movieTitle: string, startsAt: Date): string {
  return `${seatLabels.join(', ')} · ${movieTitle} · ${startsAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
