/**
 * Every `ApplicationFailure` type the workflows and activities raise, and the API maps to its
 * answers (src/reservations/workflowErrors.ts). The values are recorded in workflow histories
 * and matched across processes: rename a key freely, never change a value.
 *
 * This module imports nothing, so workflow code, activities, the API and pure rules can share it.
 */
export const FailureType = {
  /** The provider declined the card: a business outcome, the hold stays (402). */
  PaymentDeclined: 'PaymentDeclined',
  /** The provider stayed down through the charge's attempts; the hold stays (503). */
  PaymentUnavailable: 'PaymentUnavailable',
  HoldExpired: 'HoldExpired',
  /** A confirm after the show's start, refused before any charge. */
  ShowtimeStarted: 'ShowtimeStarted',
  InvalidState: 'InvalidState',
  /** A hold extension past the cap: HOLD_MAX_EXTENSIONS used, or the hold already lasts until the show starts. */
  ExtensionLimit: 'ExtensionLimit',
  CancellationCutoff: 'CancellationCutoffPassed',
  /** An Update whose input the validator refused (422). */
  InvalidArgument: 'InvalidArgument',
  /** An activity found no reservation row. */
  NotFound: 'NotFound',
  /** The provider has no such payment (Stripe's "No such PaymentIntent"): retrying cannot help. */
  PaymentNotFound: 'PaymentNotFound',
} as const;

export type FailureType = (typeof FailureType)[keyof typeof FailureType];

const FAILURE_TYPES: ReadonlySet<string> = new Set(Object.values(FailureType));

/** Narrows a failure's `type` (any string off the wire) to one of ours. */
export const isFailureType = (type: string | undefined | null): type is FailureType => typeof type === 'string' && FAILURE_TYPES.has(type);
