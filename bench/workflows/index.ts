/**
 * The production workflows plus the bench's and the tests' probes, bundled for their workers, so
 * workflows/index.ts (the production bundle) carries none of them.
 */
export * from '../../workflows';
export { noopWorkflow } from './noop';
export { noopWithUpdateWorkflow } from './noopWithUpdate';
export { pingWorkflow } from './ping';
export { pingOnUpdateWorkflow } from './pingOnUpdate';
