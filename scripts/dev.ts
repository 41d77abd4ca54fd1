/**
 * `npm run dev`: the whole system in one command.
 *
 * Starts a Temporal dev server (persistent SQLite under .data/, Web UI, the project's dynamic
 * config and search attributes), Postgres (the one at DATABASE_URL, or an embedded one with its
 * data under .data/postgres), runs the migrations, then the worker and the API as child
 * processes, each part's log lines under a coloured prefix. Ctrl-C or SIGTERM stops the API and
 * the worker first, then Temporal and Postgres; a part that dies on its own stops everything
 * with a non-zero exit.
 *
 * Two processes, both this file: the launcher (dev/launcher.ts) stays in the terminal's process
 * group and forwards signals; the supervisor (dev/supervisor.ts), in a process group of its own,
 * owns every part, so a Ctrl-C reaches only the launcher and the supervisor can stop the parts
 * in order.
 */
import { SUPERVISOR_ENV } from './dev/protocol';

// Imported on demand: the launcher never loads the SDK, knex or the dev server's helpers.
if (process.env[SUPERVISOR_ENV] === '1') {
  void import('./dev/supervisor').then(({ supervise }) => supervise());
} else {
  void import('./dev/launcher').then(({ launch }) => launch());
}
