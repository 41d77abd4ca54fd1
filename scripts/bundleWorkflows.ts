import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

/**
 * `npm run build`: bundles workflows/ once for production (default dist/workflow-bundle.js).
 * The worker loads it with WORKFLOW_BUNDLE_PATH instead of running webpack at every start.
 */
async function main(): Promise<void> {
  const target = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'dist', 'workflow-bundle.js'));
  const started = Date.now();
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows') });
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, code);
  const kib = Math.round(statSync(target).size / 1024);
  console.log(`wrote ${path.relative(process.cwd(), target)} (${kib} KiB) in ${Date.now() - started} ms`);
  console.log(`run the worker with WORKFLOW_BUNDLE_PATH=${target}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
