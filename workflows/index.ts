export { reservationWorkflow } from './reservation';
export { refundLatePaymentWorkflow } from './refundLatePayment';
export { purgeStaleRowsWorkflow } from './purgeStaleRows';
export { webhookDeliveryWorkflow } from './webhookDelivery';
