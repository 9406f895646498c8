import type { CalendarInvite } from './calendar-invite';
import { escapeHtml, singleLine, stripControl } from './escape';
import type { IncidentState } from './incident';
import type { LinkAction } from './links/link-token';
import type { Policy } from './policy';
import { formatInZone } from './time-format';
import { trailWitnessLine } from './trail-head';

// How every leadership mail is laid out: an intro, a table of label/value rows, paragraphs and a footer,
// written once as text and once as escaped HTML, so no value from an incident can inject markup.

export interface MailMessage {
  /** Idempotency key: the same key is never delivered twice; it also becomes the SMTP Message-ID. */
  key: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** The incident the mail is about; with `links`, the actions its recipients can take from it. */
  incidentId?: string;
  /** Signed per recipient by the worker (activities/mail-links.ts); never signed here, in workflow code. */
  links?: LinkAction[];
  /** A calendar event for a deadline, rendered as text/calendar by the mailer (activities/calendar-ics.ts). */
  calendar?: CalendarInvite;
}

export type Row = [label: string, value: string];

export function compose(
  key: string,
  to: string[],
  subject: string,
  intro: string,
  rows: Row[],
  outro: string[] = [],
  footer?: string,
): MailMessage {
  const cleanRows = rows.filter(([, v]) => v !== '');
  const text = [
    stripControl(intro),
    '',
    ...cleanRows.map(([l, v]) => `${l}: ${stripControl(v)}`),
    ...(outro.length ? ['', ...outro.map(stripControl)] : []),
    ...(footer ? ['', stripControl(footer)] : []),
    '',
  ].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<p>${escapeHtml(intro)}</p>`,
    '<table cellpadding="4">',
    ...cleanRows.map(
      ([l, v]) => `<tr><th align="left">${escapeHtml(l)}</th><td>${escapeHtml(v).replace(/\n/g, '<br>')}</td></tr>`,
    ),
    '</table>',
    ...outro.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(footer ? ['<hr>', `<p>${escapeHtml(footer)}</p>`] : []),
    '</body></html>',
  ].join('\n');
  return { key, to, subject: singleLine(subject), text, html };
}

export function incidentRows(s: IncidentState, policy: Policy): Row[] {
  return [
    ['Incident', s.incidentId],
    ['Title', s.title],
    ['Severity', s.severity],
    ['Category', s.category],
    ['Aware since', formatInZone(s.awareAt, policy.timeZone)],
    ['Detected by', s.detection],
    ['Affected systems', s.systems.map((x) => x.name).join(', ') || '(none yet)'],
    ['Summary', s.summary ?? ''],
  ];
}

/** Leadership mails end with the trail head Temporal holds as the mail is written: a witness its reader keeps. */
export const trailFooter = (s: IncidentState) => trailWitnessLine(s.incidentId, s.auditHead);

/** What leadership can do from a mail: the alert and escalations ask for an acknowledgement, the rest inform. */
export const ALERT_LINKS: LinkAction[] = ['acknowledge', 'open-incident', 'open-board'];
export const INFO_LINKS: LinkAction[] = ['open-incident', 'open-board'];

/** A mail to leadership offers links, signed per recipient by the worker; mail to customers never does. */
export const forLeadership = (s: IncidentState, links: LinkAction[], message: MailMessage): MailMessage => ({
  ...message,
  incidentId: s.incidentId,
  links,
});
