import { DefaultLogger, Runtime } from '@temporalio/worker';

let installed = false;

/**
 * Worker state changes, expected activity failures (declined cards, replay workers) and the
 * native client's retry warnings while a fault test has stopped a server would drown the test
 * output; real errors still show. Runs first in every test file (jest `setupFilesAfterEnv`).
 */
export function installQuietRuntime(): void {
  if (installed) return;
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
  } catch {
    // already installed in this process
  }
  installed = true;
}

installQuietRuntime();

/**
 * A file that never opened a Temporal connection leaves the runtime installed above with nothing
 * to deregister, so it would never shut itself down and jest would not exit.
 */
afterAll(async () => {
  await Runtime._instance?.shutdown().catch(() => undefined);
  installed = false;
});
