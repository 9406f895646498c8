import { describeTimeLeft, type Notice } from './deadlines';
import { escapeHtml, singleLine, stripControl } from './escape';
import type { IncidentState, Obligation } from './incident';
import type { Policy } from './policy';
import { formatInZone } from './time-format';
import { trailWitnessLine } from './trail-head';
import type { LinkAction } from './links/link-token';

// The content of every mail the system sends. Pure: the workflow composes a message, an activity sends it.

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
}

type Row = [label: string, value: string];

function compose(
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

function incidentRows(s: IncidentState, policy: Policy): Row[] {
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

/** What leadership can do from a mail: the alert and escalations ask for an acknowledgement, the rest inform. */
const ALERT_LINKS: LinkAction[] = ['acknowledge', 'open-incident', 'open-board'];
const INFO_LINKS: LinkAction[] = ['open-incident', 'open-board'];

/** A mail to leadership offers links, signed per recipient by the worker; mail to customers never does. */
const forLeadership = (s: IncidentState, links: LinkAction[], message: MailMessage): MailMessage => ({
  ...message,
  incidentId: s.incidentId,
  links,
});

const ackHint = (id: string) => `Acknowledge with: incident ack ${id}`;

/** Leadership mails end with the trail head Temporal holds as the mail is written: a witness its reader keeps. */
const trailFooter = (s: IncidentState) => trailWitnessLine(s.incidentId, s.auditHead);

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
      [ackHint(s.incidentId)],
      trailFooter(s),
    ),
  );
}

export function deadlineNotice(
  s: IncidentState,
  ob: Obligation,
  notice: Notice,
  policy: Policy,
  to: string[],
  now: Date,
): MailMessage {
  const late = notice.kind === 'overdue';
  const subject = late
    ? `[${s.severity}] OVERDUE: ${ob.title} (incident ${s.incidentId})`
    : `[${s.severity}] Deadline in ${describeTimeLeft(ob.dueAt, now).replace(' left', '')}: ${ob.title} (incident ${s.incidentId})`;
  const intro = late
    ? `The deadline to "${ob.title}" has passed and it is not met. ${describeTimeLeft(ob.dueAt, now)}.`
    : `Reminder: "${ob.title}" is due soon (${describeTimeLeft(ob.dueAt, now)}).`;
  const outro =
    late && ob.kind === 'notify-regulator'
      ? [
          `A late notification to the ${policy.regulator.name} must state the reasons for the delay (${policy.regulator.article}(1)).`,
        ]
      : [];
  return forLeadership(
    s,
    INFO_LINKS,
    compose(
      `${s.incidentId}/${ob.id}/${notice.key}`,
      to,
      subject,
      intro,
      [...obligationRows(ob, policy), ...incidentRows(s, policy).slice(0, 5)],
      outro,
      trailFooter(s),
    ),
  );
}

/** What, to whom, by when, and under which rule: the rows every deadline mail starts with. */
function obligationRows(ob: Obligation, policy: Policy): Row[] {
  const zone = ob.clock?.zone;
  return [
    ['Obligation', ob.title],
    ['Owed to', ob.owedTo],
    ['Due', `${formatInZone(ob.dueAt, policy.timeZone)} (${ob.dueAt.replace(/\.\d{3}Z$/, 'Z')} UTC)`],
    ["Due in the rule's time zone", zone && zone !== policy.timeZone ? formatInZone(ob.dueAt, zone) : ''],
    ['Legal basis', ob.clock ? `${ob.clock.rule.citation} (rule ${ob.clock.rule.id} v${ob.clock.rule.version})` : ''],
    [
      'Counted from',
      ob.clock ? `${ob.clock.anchor.event} at ${formatInZone(ob.clock.anchor.at, policy.timeZone)}` : '',
    ],
  ];
}

/** A deadline moved (awareness corrected, a delay granted or lifted): the people it concerns hear at once. */
export function deadlineMovedNotice(
  s: IncidentState,
  ob: Obligation,
  because: string,
  policy: Policy,
  to: string[],
): MailMessage {
  const paused = ob.clock?.pausedUntilDelayEnd;
  const subject = paused
    ? `[${s.severity}] Deadline paused: ${ob.title} (incident ${s.incidentId})`
    : `[${s.severity}] Deadline moved: ${ob.title} (incident ${s.incidentId})`;
  const intro = paused
    ? `The deadline to "${ob.title}" is paused after ${because}; it runs again when the delay ends.`
    : `The deadline to "${ob.title}" moved after ${because}. It is now ${formatInZone(ob.dueAt, policy.timeZone)}.`;
  return forLeadership(
    s,
    INFO_LINKS,
    compose(
      `${s.incidentId}/${ob.id}/moved-r${ob.clock?.revision ?? 0}`,
      to,
      subject,
      intro,
      [...obligationRows(ob, policy), ...incidentRows(s, policy).slice(0, 5)],
      [],
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
