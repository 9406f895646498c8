import { escapeHtml, singleLine, stripControl } from './escape';
import type { IncidentState } from './incident';
import { ALERT_LINKS, compose, forLeadership, incidentRows, trailFooter, type MailMessage } from './mail-compose';
import type { Policy } from './policy';
import { formatInZone } from './time-format';

// The content of every mail the system sends. Pure: the workflow composes a message, an activity sends it.

export type { MailMessage } from './mail-compose';
export { calendarInviteMail, deadlineMovedNotice, deadlineNotice } from './deadline-mail';

const ackHint = (id: string) => `Acknowledge with: incident ack ${id}`;

/** Leadership learns at once which deadlines the assessment will open, so nobody waits for it to plan. */
function upcomingParagraphs(s: IncidentState): string[] {
  const lines = s.deadlinesOnceAssessed ?? [];
  if (!lines.length) return [];
  return ['Deadlines that open once the breach is assessed, counted from awareness:', ...lines];
}

export function seniorAlert(s: IncidentState, policy: Policy, level: number, to: string[]): MailMessage {
  const first = level === 0;
  const subject = first
    ? `[${s.severity}] Security incident ${s.incidentId}: ${s.title}`
    : `[${s.severity}] ESCALATION ${level}: incident ${s.incidentId} not acknowledged`;
  const intro = first
    ? `A security incident has been opened. Senior personnel, including the CTO, are being told at once as the procedure requires.`
    : `Nobody has acknowledged incident ${s.incidentId} within ${policy.ackWindowMinutes * level} minutes of opening. You are the next people on the escalation list.`;
  return forLeadership(
    s,
    ALERT_LINKS,
    compose(
      `${s.incidentId}/escalation-${level}`,
      to,
      subject,
      intro,
      incidentRows(s, policy),
      [...upcomingParagraphs(s), ackHint(s.incidentId)],
      trailFooter(s),
    ),
  );
}

export function draftCustomerNotice(s: IncidentState, policy: Policy): { subject: string; text: string } {
  const a = s.assessment;
  const what =
    a?.dataImpact === 'project'
      ? 'data of your projects hosted with us'
      : a?.dataImpact === 'none'
        ? 'our services'
        : 'personal data we process for you';
  const text = [
    `Dear customer,`,
    '',
    `On ${formatInZone(s.awareAt, policy.timeZone)}, ${policy.organisation} became aware of a security incident (${s.category}) that affects ${what}.`,
    a?.dataCategories.length ? `Categories of data concerned: ${a.dataCategories.join(', ')}.` : '',
    a?.likelyConsequences ? `Likely consequences: ${a.likelyConsequences}.` : '',
    a?.measures
      ? `Measures taken or proposed: ${a.measures}.`
      : 'We isolated the affected systems and preserved forensic evidence.',
    `Our reference for this incident is ${s.incidentId}. Our Data Protection Officer, ${policy.dpo.name}, can be reached at ${policy.dpo.email}.`,
    '',
    `${policy.organisation}`,
  ]
    .filter((l, i, all) => l !== '' || all[i - 1] !== '')
    .join('\n');
  return { subject: `Security incident notification from ${policy.organisation} (ref. ${s.incidentId})`, text };
}

export function customerNoticeMail(
  s: IncidentState,
  notice: { subject: string; text: string },
  contact: { name: string; email: string },
): MailMessage {
  // A replacer function, so that "$&" or "$$" in a name is written as it is, not as a replacement pattern.
  const text = `${stripControl(notice.text).replace(/^Dear customer,/, () => `Dear ${singleLine(contact.name)},`)}\n`;
  const html = `<!doctype html><html><body style="font-family:sans-serif">${text
    .split('\n\n')
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n')}</body></html>`;
  return {
    key: `${s.incidentId}/customer-notice/${contact.email.toLowerCase()}`,
    to: [contact.email],
    subject: singleLine(notice.subject),
    text,
    html,
  };
}

export function rfoMail(
  s: IncidentState,
  requestId: string,
  to: string,
  rfoMarkdown: string,
  policy: Policy,
): MailMessage {
  const text = `Please find below the Reason-for-Outage report for incident ${s.incidentId}, as you requested.\n\n${stripControl(rfoMarkdown)}`;
  const html = `<!doctype html><html><body style="font-family:sans-serif"><pre style="white-space:pre-wrap">${escapeHtml(text)}</pre></body></html>`;
  return {
    key: `${s.incidentId}/rfo/${requestId}`,
    to: [to],
    subject: singleLine(`Reason for Outage: ${s.title} (${policy.organisation}, ref. ${s.incidentId})`),
    text,
    html,
  };
}
