export { reservationWorkflow } from './reservation';
export { refundLatePaymentWorkflow } from './refundLatePayment';
