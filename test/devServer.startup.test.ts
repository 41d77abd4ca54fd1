import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevServer } from '../scripts/devServer';
import { ensureTemporalCli } from '../scripts/temporalCli';

describe('starting the Temporal dev server', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dev-server-startup-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts it again when it did not listen within the SDK\'s 5 s the first time (a cold binary on a busy machine)', async () => {
    const cli = await ensureTemporalCli();
    if (cli.type !== 'existing-path') return; // only a local binary can be wrapped
    // A server whose first start takes 8 s before it even runs; later starts are immediate.
    const slowOnce = path.join(dir, 'slow-once');
    const starts = path.join(dir, 'starts');
    const wrapper = path.join(dir, 'temporal');
    writeFileSync(
      wrapper,
      `#!/bin/sh\necho start >> '${starts}'\nif [ ! -e '${slowOnce}' ]; then touch '${slowOnce}'; sleep 8; fi\nexec '${cli.path}' "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    const env = await startDevServer({ executable: { type: 'existing-path', path: wrapper } });
    try {
      expect(existsSync(slowOnce)).toBe(true);
      expect(readFileSync(starts, 'utf8').trim().split('\n')).toEqual(['start', 'start']);
      const info = await env.client.workflowService.getSystemInfo({});
      expect(info.serverVersion).toBeTruthy();
    } finally {
      await env.teardown();
    }
  });
});
