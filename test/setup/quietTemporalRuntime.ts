import { DefaultLogger, Runtime } from '@temporalio/worker';

// Worker state changes and expected activity failures (declined cards, replay workers) would
// drown the test output; real errors still show.
try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  // already installed in this process by an earlier test file
}
