export { reservationWorkflow } from './reservation';
export { noopWorkflow } from './noop';
export { pingWorkflow } from './ping';
export { noopWithUpdateWorkflow } from './noopWithUpdate';
export { refundLatePaymentWorkflow } from './refundLatePayment';
export { purgeStaleRowsWorkflow } from './purgeStaleRows';
