import { describe, expect, it } from 'vitest';
import { dueNotices } from '../../domain/deadlines';
import { deadlineNotice, seniorAlert } from '../../domain/notices';
import { deadlinesOnceAssessedOrNote } from '../../domain/upcoming-deadlines';
import { recordCommand } from '../../domain/obligation-action';
import { policySchema, type Policy } from '../../domain/policy-schema';
import { assessedState, incidentState } from './builders';

// What a leader reads in a reminder, an overdue notice and the senior alert: what is due, to whom, by when
// (in their own zone too), how long is left, who owns it, and the one command that records it.

const FOOTER = 'Audit trail: no head recorded yet — check with: incident audit INC-2026-042 --verify';

// The DPO reads in London. Awareness is 2026-03-28 09:00 UTC (10:00 in Paris, 09:00 in London); both zones
// move to summer time on the 29th, so the 72 h deadline falls at 11:00 in Paris and 10:00 in London.
const policy = policySchema.parse({
  timeZones: { 'DPO@example.com': 'Europe/London', 'cto@example.com': 'Europe/Paris' },
});
const to = ['cto@example.com', 'dpo@example.com'];

function regulatorNotice(now: Date) {
  const s = assessedState(policy);
  const ob = s.obligations.find((o) => o.kind === 'notify-regulator')!;
  const { send } = dueNotices(ob, policy, now);
  return deadlineNotice(s, ob, send!, policy, to, now);
}

describe('deadline mails a leader can act on', () => {
  it('a reminder says what, to whom, by when in each zone and UTC, the time left, the owners and the command', () => {
    const mail = regulatorNotice(new Date('2026-03-31T06:00:00.000Z'));
    expect(mail.subject).toBe(
      '[SEV1] Deadline in 3 h 00 min: Notify the CNIL (GDPR Art. 33, 72 h) (incident INC-2026-042)',
    );
    expect(mail.text).toBe(
      [
        'Reminder: "Notify the CNIL (GDPR Art. 33, 72 h)" is due soon (3 h 00 min left).',
        '',
        'Obligation: Notify the CNIL (GDPR Art. 33, 72 h)',
        'Owed to: CNIL',
        'Due: 2026-03-31 11:00 UTC+02:00 (Europe/Paris) (2026-03-31T09:00:00Z UTC)',
        'Due for dpo@example.com: 2026-03-31 10:00 UTC+01:00 (Europe/London)',
        'Time left: 3 h 00 min',
        'Owners: cto (cto@example.com), dpo (dpo@example.com), legal (legal@example.com)',
        "Action to take: incident file-regulator INC-2026-042 --reference <the authority's filing reference>",
        'Incident: INC-2026-042',
        'Title: Unauthorised access to the customer database',
        'Severity: SEV1',
        'Category: intrusion',
        'Aware since: 2026-03-28 10:00 UTC+01:00 (Europe/Paris)',
        '',
        FOOTER,
        '',
      ].join('\n'),
    );
    expect(mail.key).toBe('INC-2026-042/notify-regulator/reminder-4h');
    expect(mail.html).toContain(
      '<tr><th align="left">Action to take</th><td>incident file-regulator INC-2026-042 --reference &lt;the authority&#39;s filing reference&gt;</td></tr>',
    );
  });

  it('an overdue notice says how late, and its command carries the reasons for the delay the law asks for', () => {
    const mail = regulatorNotice(new Date('2026-03-31T09:30:00.000Z'));
    expect(mail.subject).toBe('[SEV1] OVERDUE: Notify the CNIL (GDPR Art. 33, 72 h) (incident INC-2026-042)');
    const lines = mail.text.split('\n');
    expect(lines.slice(0, 9)).toEqual([
      'The deadline to "Notify the CNIL (GDPR Art. 33, 72 h)" has passed and it is not met. overdue by 30 min.',
      '',
      'Obligation: Notify the CNIL (GDPR Art. 33, 72 h)',
      'Owed to: CNIL',
      'Due: 2026-03-31 11:00 UTC+02:00 (Europe/Paris) (2026-03-31T09:00:00Z UTC)',
      'Due for dpo@example.com: 2026-03-31 10:00 UTC+01:00 (Europe/London)',
      'Late by: 30 min',
      'Owners: cto (cto@example.com), dpo (dpo@example.com), legal (legal@example.com)',
      'Action to take: incident file-regulator INC-2026-042 --reference <the authority\'s filing reference> --late-reason "<the reasons for the delay>"',
    ]);
    expect(mail.text).toContain(
      'A late notification to the CNIL must state the reasons for the delay (GDPR Art. 33(1)).',
    );
    expect(mail.key).toBe('INC-2026-042/notify-regulator/overdue-0');
  });

  it('recipients in several other zones each get their line; one in the policy zone or unknown gets none', () => {
    const p = policySchema.parse({
      timeZones: {
        'cto@example.com': 'America/New_York',
        'legal@example.com': 'America/New_York',
        'ceo@example.com': 'Asia/Tokyo',
      },
    });
    const s = assessedState(p);
    const ob = s.obligations.find((o) => o.kind === 'notify-customers')!;
    const now = new Date('2026-03-29T05:00:00.000Z');
    const mail = deadlineNotice(
      s,
      ob,
      dueNotices(ob, p, now).send!,
      p,
      ['cto@example.com', 'legal@example.com', 'ceo@example.com', 'dpo@example.com'],
      now,
    );
    const rows = mail.text.split('\n').filter((l) => l.startsWith('Due'));
    expect(rows).toEqual([
      'Due: 2026-03-29 11:00 UTC+02:00 (Europe/Paris) (2026-03-29T09:00:00Z UTC)',
      'Due for cto@example.com, legal@example.com: 2026-03-29 05:00 UTC-04:00 (America/New_York)',
      'Due for ceo@example.com: 2026-03-29 18:00 UTC+09:00 (Asia/Tokyo)',
    ]);
    expect(mail.text).toContain('Action to take: incident approve-notice INC-2026-042\n');
  });

  it('each kind of obligation names the command that meets it', () => {
    expect(recordCommand('INC-1', { id: 'inform-law-enforcement', kind: 'inform-law-enforcement' }, false)).toBe(
      'incident contact INC-1 --kind law-enforcement --org "<the service told>" --shared "<what was shared>"',
    );
    expect(recordCommand('INC-1', { id: 'send-rfo-rfo-2', kind: 'send-rfo' }, true)).toBe(
      'incident send-rfo INC-1 rfo-2',
    );
    expect(recordCommand('INC-1', { id: 'nis2-early-warning', kind: 'legal-clock' }, true)).toBe(
      'incident submitted INC-1 nis2-early-warning --reference <the filing or message reference> --late-reason "<the reasons for the delay>"',
    );
  });

  it('a recipient zone that is no IANA zone, or a key that is no address, is refused with the path', () => {
    const bad = policySchema.safeParse({ timeZones: { 'dpo@example.com': 'Europe/Lyon' } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]).toMatchObject({
      path: ['timeZones', 'dpo@example.com'],
      message: 'is not an IANA time zone such as Europe/Paris',
    });
    expect(policySchema.safeParse({ timeZones: { dpo: 'Europe/Paris' } }).success).toBe(false);
  });
});

/** The senior alert of an incident whose worker computed the upcoming deadlines at opening, as the workflow has it. */
function alertWithUpcoming(p: Policy) {
  const s = incidentState();
  s.deadlinesOnceAssessed = deadlinesOnceAssessedOrNote(s, p);
  return seniorAlert(s, p, 0, ['cto@example.com']);
}

describe('the senior alert lists the deadlines the assessment will open', () => {
  it('from the engine and the policy: GDPR, the contract clocks of the registry and the fallback, and regimes waiting for an event', () => {
    const p = policySchema.parse({
      regimes: ['gdpr-art33', 'gdpr-art34', 'contract', 'nis2'],
      customers: [{ id: 'acme', name: 'Acme Corp', contacts: ['security@acme.example'], personalDataHours: 12 }],
    });
    const mail = alertWithUpcoming(p);
    const tail = mail.text.slice(mail.text.indexOf('Deadlines that open')).split('\n');
    expect(tail).toEqual([
      'Deadlines that open once the breach is assessed, counted from awareness:',
      'If personal data is involved: Acme Corp by 2026-03-28 22:00 UTC+01:00 (Europe/Paris) = 2026-03-28T21:00:00Z UTC (the contract with Acme Corp)',
      "If personal data is involved: 1 affected customer without a contract clock in the registry by 2026-03-29 11:00 UTC+02:00 (Europe/Paris) = 2026-03-29T09:00:00Z UTC (the policy's customer notification clock)",
      'If personal data is involved: CNIL by 2026-03-31 11:00 UTC+02:00 (Europe/Paris) = 2026-03-31T09:00:00Z UTC (GDPR (EU) 2016/679 Art. 33(1))',
      "If project data is involved: Acme Corp by 2026-03-31 11:00 UTC+02:00 (Europe/Paris) = 2026-03-31T09:00:00Z UTC (the contract with Acme Corp; the policy's customer notification clock)",
      "If project data is involved: 1 affected customer without a contract clock in the registry by 2026-03-31 11:00 UTC+02:00 (Europe/Paris) = 2026-03-31T09:00:00Z UTC (the policy's customer notification clock)",
      "If personal data is involved at high risk to people: the data subjects by 2026-03-31 11:00 UTC+02:00 (Europe/Paris) = 2026-03-31T09:00:00Z UTC (GDPR (EU) 2016/679 Art. 34(1) (without undue delay; the hours are the organisation's target, not statutory))",
      'NIS2 Art. 23(4): reporting of a significant incident to the CSIRT or competent authority: no deadline until one of these is recorded: classified-significant, authority-request, handled',
      'Acknowledge with: incident ack INC-2026-042',
      '',
      FOOTER,
      '',
    ]);
    expect(mail.html).toContain(
      '<p>If personal data is involved: CNIL by 2026-03-31 11:00 UTC+02:00 (Europe/Paris) = 2026-03-31T09:00:00Z UTC (GDPR (EU) 2016/679 Art. 33(1))</p>',
    );
  });

  it('an incident that kept a policy from before regimes and the customer registry still gets the GDPR and contract lines', () => {
    const { regimes: _r, customers: _c, clocks: _k, ...old } = policySchema.parse({});
    const mail = alertWithUpcoming(old as Policy);
    expect(mail.text).toContain(
      'If personal data is involved: CNIL by 2026-03-31 11:00 UTC+02:00 (Europe/Paris) = 2026-03-31T09:00:00Z UTC (GDPR (EU) 2016/679 Art. 33(1))\n',
    );
    expect(mail.text).toContain(
      "If personal data is involved: 1 affected customer without a contract clock in the registry by 2026-03-29 11:00 UTC+02:00 (Europe/Paris) = 2026-03-29T09:00:00Z UTC (the policy's customer notification clock)\n",
    );
  });
});
