export { reservationWorkflow } from './reservation';
export { noopWorkflow } from './noop';
export { pingWorkflow } from './ping';
