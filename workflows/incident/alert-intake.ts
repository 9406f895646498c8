import { setHandler } from '@temporalio/workflow';
import { alertKey } from '../../domain/alerts/alert-key';
import { MAX_RECENT_ALERTS, newSystemRecord } from '../../domain/incident';
import * as api from '../incident-api';
import type { Containment } from './containment';
import type { IncidentRun } from './incident-run';

// Alerts from detection systems attach to the open incident as a Signal: each is recorded once per status
// change, and a system it names that the incident does not yet hold is added and contained. The alerts an
// eagerly started incident came with are taken at the moment signal-with-start's would be delivered: when
// the handler is registered, so the trail reads the same either way.

export function acceptAlerts(run: IncidentRun, containment: Containment, opening?: api.AlertSignal): void {
  const { s, audit, nowIso } = run;
  /** In-memory index of s.alertKeys, built on the first alert of this run. */
  let seenAlertKeys: Set<string> | undefined;
  const intake = ({ alerts }: api.AlertSignal) => {
    if (s.closedAt) return;
    // Keys of alerts already seen; incidents from before this field derive them from their alerts.
    const keys = (s.alertKeys ??= s.alerts.map((a) => alertKey(a.source, a.dedupKey, a.status)));
    const seen = (seenAlertKeys ??= new Set(keys));
    for (const alert of alerts) {
      const actor = `alert:${alert.source}`;
      // A sender's retry delivers the same alert again: it is recorded once per status change.
      const key = alertKey(alert.source, alert.dedupKey, alert.status);
      if (seen.has(key)) continue;
      seen.add(key);
      keys.push(key);
      s.alertsReceived = (s.alertsReceived ?? s.alerts.length) + 1;
      s.alerts.push({
        source: alert.source,
        dedupKey: alert.dedupKey,
        status: alert.status,
        title: alert.title,
        observedAt: alert.observedAt,
        receivedAt: nowIso(),
      });
      if (s.alerts.length > MAX_RECENT_ALERTS) s.alerts.splice(0, s.alerts.length - MAX_RECENT_ALERTS);
      audit.record(actor, alert.status === 'resolved' ? 'alert.resolved' : 'alert.received', {
        source: alert.source,
        dedupKey: alert.dedupKey,
        title: alert.title,
        severity: alert.severity,
        observedAt: alert.observedAt,
        systems: alert.systems,
        raw: alert.raw,
      });
      for (const name of alert.systems) {
        if (!s.systems.some((x) => x.name === name) && !s.restoredAt) {
          const sys = newSystemRecord(name, nowIso(), actor);
          s.systems.push(sys);
          audit.record(actor, 'containment.system-added', { system: name });
          containment.startPipeline(sys, actor);
        }
      }
    }
    run.changed();
  };
  setHandler(api.alertSignal, intake);
  if (opening) intake(opening);
}
