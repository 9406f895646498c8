// Every action name the audit trail can hold. The workflow may write only these, and readers (the CLI,
// the reports, the signature check) compare against the same names, so a rename is a compile error in
// every layer rather than a silent mismatch between writer and reader.

/** The containment steps of a system, each recorded as started, failed or awaiting a person. */
export type StepLabel = 'containment.isolation' | 'evidence.collection' | 'recovery.release';
type StepAction = `${StepLabel}-${'started' | 'failed' | 'awaiting-manual'}`;

export type AuditAction =
  | 'incident.opened'
  | 'incident.acknowledged'
  | 'incident.closing'
  | 'incident.closed'
  | 'workflow.continued'
  | 'policy.loaded'
  | 'access.policy-loaded'
  | 'access.policy-removed'
  | 'access.reload-failed'
  | 'access.refused'
  | 'board.viewed'
  | 'action.signed'
  | 'notify.senior-alerted'
  | 'notify.escalated'
  | 'mail.sent'
  | 'mail.rejected'
  | 'mail.delivery-failing'
  | 'mail.abandoned'
  | StepAction
  | 'containment.system-added'
  | 'containment.isolated'
  | 'evidence.collection-requested'
  | 'evidence.collected'
  | 'step.retry-requested'
  | 'step.recorded-manually'
  | 'recovery.requested'
  | 'recovery.released'
  | 'recovery.restored'
  | 'assessment.recorded'
  | 'obligation.opened'
  | 'obligation.rescheduled'
  | 'obligation.met'
  | 'obligation.waived'
  | 'obligation.no-longer-applies'
  | 'obligation.submitted'
  | 'clock.event-recorded'
  | 'clock.facts-recorded'
  | 'awareness.corrected'
  | 'deadline.reminder'
  | 'deadline.overdue'
  | 'customer-notice.drafted'
  | 'customer-notice.approved'
  | 'customer-notice.sent'
  | 'regulator.filed'
  | 'regulator.dossier-rendered'
  | 'contact.recorded'
  | 'rca.assigned'
  | 'rca.concluded'
  | 'rfo.requested'
  | 'rfo.sent'
  | 'rfo.not-delivered'
  | 'reports.rendered'
  | 'note.added'
  | 'alert.received'
  | 'alert.resolved';

/** The entry that ends an incident's chain; verify refuses anything after it. */
export const CLOSING_ACTION = 'incident.closed' satisfies AuditAction;
/** The entry that records the roster in force, which signed actions are verified against. */
export const ROSTER_ACTION = 'access.policy-loaded' satisfies AuditAction;
/** The entry that holds a forensic copy's SHA-256, which an evidence export is checked against. */
export const EVIDENCE_ACTION = 'evidence.collected' satisfies AuditAction;
