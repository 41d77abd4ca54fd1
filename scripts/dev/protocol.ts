/** How the launcher and the supervisor of `npm run dev` talk to each other. */

/** Set in the supervisor's environment: scripts/dev.ts then supervises instead of launching. */
export const SUPERVISOR_ENV = 'BOOKING_DEV_SUPERVISOR';
export const EXECUTABLE_ENV = 'BOOKING_DEV_TEMPORAL_EXECUTABLE';
export const COLOR_ENV = 'BOOKING_DEV_COLOR';
/** A line on the supervisor's pipe that starts with this is a message to the launcher. */
const CONTROL = '\u0001';
export const TEMPORAL_STOPPING = `${CONTROL}temporal-stopping`;
