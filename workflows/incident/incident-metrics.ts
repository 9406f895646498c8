import { metricMeter } from '@temporalio/workflow';

// What an operator watches on a running installation, emitted by the workflow through the SDK's metric
// meter (exported with the SDK's own metrics on the worker's Prometheus address; never emitted on replay,
// so a metric adds no command and a replayed history counts nothing twice). The instruments are made
// at each use: the meter may only be touched inside a workflow's context, never at module load. The instants are workflow
// time, taken when the mail activity's acceptance by the relay reached the workflow.

const seniorAlertsSent = () =>
  metricMeter.createCounter(
    'incident_senior_alerts_sent',
    undefined,
    'Senior alerts (the CTO and senior personnel, level 0) accepted by the mail relay.',
  );
const seniorAlertLatency = () =>
  metricMeter.createHistogram(
    'incident_senior_alert_seconds',
    'float',
    's',
    "Time from the incident's opening to its senior alert being accepted by the mail relay.",
  );
const remindersSent = () =>
  metricMeter.createCounter(
    'incident_reminders_sent',
    undefined,
    'Deadline reminders and overdue notices accepted by the mail relay, by kind.',
  );
const reminderDelay = () =>
  metricMeter.createHistogram(
    'incident_reminder_delay_seconds',
    'float',
    's',
    'Time from the instant a reminder was due to its acceptance by the mail relay.',
  );
const remindersLate = () =>
  metricMeter.createCounter(
    'incident_reminders_late',
    undefined,
    'Reminders and overdue notices accepted more than a second after their instant.',
  );
const obligationsOverdue = () =>
  metricMeter.createCounter(
    'incident_obligations_overdue',
    undefined,
    'Obligations that passed their deadline unmet (counted at their first overdue notice), by regime (the kind for obligations from before the clock engine).',
  );

/** A reminder more than this late is counted as late: the target is a second at p99. */
const LATE_AFTER_MS = 1000;

export function seniorAlertAccepted(openedAt: string, acceptedAt: Date): void {
  seniorAlertsSent().add(1);
  seniorAlertLatency().record(Math.max(0, acceptedAt.getTime() - Date.parse(openedAt)) / 1000);
}

export function noticeAccepted(kind: 'reminder' | 'overdue', dueAt: string, acceptedAt: Date): void {
  const lateMs = Math.max(0, acceptedAt.getTime() - Date.parse(dueAt));
  remindersSent().add(1, { kind });
  reminderDelay().record(lateMs / 1000, { kind });
  if (lateMs > LATE_AFTER_MS) remindersLate().add(1, { kind });
}

export function obligationWentOverdue(regime: string): void {
  obligationsOverdue().add(1, { regime });
}
