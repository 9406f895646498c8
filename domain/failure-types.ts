// The error types an activity raises when retrying cannot help. The activity that throws and the workflow
// that lists them as non-retryable (or recognises them) share these names, so neither side can drift.

export const FAILURE_TYPES = {
  /** The relay refused the message for good (5xx): retrying would send nothing. */
  mailRejected: 'MailRejected',
  /**
   * The system is in no inventory of the worker's configuration. No longer raised (such a system is now a
   * step for a person); kept because incidents from before record it.
   */
  unknownSystem: 'UnknownSystem',
  /** A driver's command cannot run as configured (missing program, bad arguments). */
  driverMisconfigured: 'DriverMisconfigured',
  /** The evidence source cannot be read (missing path, permission refused). */
  evidenceSourceUnavailable: 'EvidenceSourceUnavailable',
  /** The access configuration on disk does not validate, so a reload keeps the roster in force. */
  accessConfigInvalid: 'AccessConfigInvalid',
  /** An action refused by the access check (raised by the workflow itself). */
  accessRefused: 'AccessRefused',
} as const;

export type FailureType = (typeof FAILURE_TYPES)[keyof typeof FAILURE_TYPES];
