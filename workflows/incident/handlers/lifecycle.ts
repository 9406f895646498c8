import { condition, patched } from '@temporalio/workflow';
import * as A from '../../../domain/actions';
import { CLOSING_ACTION } from '../../../domain/audit-actions';
import { linkIdOf } from '../../../domain/links/link-token';
import { headWithCheck } from '../../../domain/trail-head';
import * as api from '../../incident-api';
import { action, done } from '../actions';
import type { IncidentRun } from '../incident-run';
import type { MailQueue } from '../mail-queue';
import type { Reports } from '../reports';

// Actions that move the incident as a whole: acknowledged (escalation stops), reports rendered, closed.

export function lifecycleActions(
  run: IncidentRun,
  mail: MailQueue,
  reports: Reports,
  publishSearchAttributes: () => void,
) {
  const { id, s, audit, nowIso } = run;

  return {
    acknowledge: action(api.acknowledgeUpdate, A.validateAcknowledge, async ({ actor, note, link }) => {
      s.acknowledgement = { by: actor, at: nowIso() };
      const seq = audit.record(actor, 'incident.acknowledged', {
        note,
        escalationsSent: s.escalationsSent,
        ...(link ? { via: 'mail link', linkId: linkIdOf(link.token) } : {}),
      });
      return done(run, seq, `Acknowledged by ${actor}; escalation stopped.`);
    }),

    generateReports: action(api.generateReportsUpdate, A.validateGenerateReports, async ({ actor }) => {
      const files = await reports.render(reports.closingKinds());
      return done(
        run,
        audit.record(actor, 'reports.rendered', { files: files.map((f) => f.path) }),
        `Rendered ${files.length} files.`,
        { files },
      );
    }),

    close: action(api.closeUpdate, A.validateClose, async ({ actor, summary }) => {
      if (summary) s.summary = summary;
      audit.record(actor, 'incident.closing', { summary });
      // Mail still retrying gets a grace period, then is abandoned (and says so) before the chain ends.
      if (!(await condition(() => mail.inFlight() === 0, '2 minutes'))) mail.abandonAll();
      await condition(() => mail.inFlight() === 0);
      s.closedAt = nowIso();
      s.closedBy = actor;
      const files = await reports.render(reports.closingKinds());
      // The closing entry names the head before it, so that the entry itself vouches for the whole trail:
      // it waits until every earlier entry is written, which moves the appends (hence the patch).
      const headBefore = patched('closing-entry-carries-head') ? await audit.settled() : undefined;
      const seq = audit.record(actor, CLOSING_ACTION, {
        obligations: s.obligations.map((o) => ({ id: o.id, status: o.status, dueAt: o.dueAt, metAt: o.metAt })),
        reports: files.map((f) => f.path),
        ...(headBefore ? { trailHeadBefore: headBefore } : {}),
      });
      publishSearchAttributes();
      const result = await done(run, seq, `Incident ${id} closed; reports rendered.`, { reports: files });
      // done() waited for the closing entry: the head now is the final one, which whoever closed keeps.
      const final =
        s.auditHead && s.auditHead.seq >= seq ? { seq: s.auditHead.seq, hash: s.auditHead.hash } : undefined;
      if (!final) return result;
      return {
        ...result,
        message: `${result.message} Final audit head: ${headWithCheck(id, final)}`,
        details: { ...result.details, finalHead: final },
      };
    }),
  };
}
