import type { Database } from './postgres';
import { paint, redact } from './output';
import type { DevSettings } from './settings';

export function printBanner(s: DevSettings, db: Database, say: (line: string) => void, color: boolean): void {
  const api = `http://127.0.0.1:${s.config.port}`;
  const ui = `http://${s.temporalIp}:${s.uiPort}`;
  const rows: Array<[string, string]> = [
    ['API', `${api}/api/v1`],
    ['API docs', `${api}/docs`],
    ['health', `${api}/healthz`],
    ['Temporal Web UI', `${ui}/namespaces/${s.config.temporal.namespace}/workflows`],
    ['Temporal', `${s.temporalIp}:${s.temporalPort} (namespace ${s.config.temporal.namespace}, task queue ${s.config.temporal.taskQueue})`],
    ['Postgres', `${redact(db.url)}${db.embedded ? ' (embedded, data in .data/postgres)' : ''}`],
  ];
  say(paint(color, '1', 'ready:'));
  for (const [name, value] of rows) say(`  ${name.padEnd(16)} ${value}`);
  say(`  find bookings in the Web UI with e.g. ReservationStatus="held" AND ShowtimeId=42`);
  say('press Ctrl-C to stop');
}
