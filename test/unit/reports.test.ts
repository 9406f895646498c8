import { describe, expect, it } from 'vitest';
import { chainEntry, type AuditEntry, type AuditRecord } from '../../domain/audit-chain';
import type { IncidentState } from '../../domain/incident';
import { markMet } from '../../domain/obligations';
import { defaultPolicy, policySchema } from '../../domain/policy-schema';
import { renderHtml, renderMarkdown } from '../../domain/report-document';
import { describeAudit, rcaReport, regulatorDossier, rfoReport } from '../../domain/reports';
import { assessedState, hasUnescaped, markdownText } from './builders';

const policy = defaultPolicy();
const SHA = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const ROOT_CAUSE = 'A VPN credential leaked in a public repository was reused; the VPN did not require a second factor';

const mdText = markdownText;

/** An incident near its end: contained, evidence copied, customers told late, regulator pending, police informed. */
function concludedState(over: { title?: string } = {}): IncidentState {
  const s = assessedState(policy, over);
  const [db, web] = s.systems;
  db.isolation = { state: 'done', at: '2026-03-28T15:05:00.000Z', detail: 'nft quarantine', attempts: 1 };
  db.evidence = { state: 'done', at: '2026-03-28T15:40:00.000Z', attempts: 1 };
  db.evidenceRecords.push({
    id: 'ev-1',
    system: 'db-1',
    source: '/dev/sda',
    location: 'data/INC-2026-042/evidence/db-1-1.img',
    sha256: SHA,
    sizeBytes: 53687091200,
    collectedBy: 'worker-1',
    startedAt: '2026-03-28T15:06:00.000Z',
    finishedAt: '2026-03-28T15:40:00.000Z',
    custody: [{ at: '2026-03-28T15:40:00.000Z', actor: 'worker-1', action: 'stored' }],
  });
  web.isolation = {
    state: 'manual',
    at: '2026-03-28T15:30:00.000Z',
    detail: 'cable pulled by on-site staff',
    attempts: 0,
  };
  web.evidence = { state: 'manual', detail: 'no disk: stateless container', attempts: 0 };
  s.acknowledgement = { by: 'cto-dan', at: '2026-03-28T15:08:00.000Z' };
  markMet(
    s.obligations.find((o) => o.id === 'notify-customers')!,
    '2026-03-29T10:30:00.000Z',
    'carol',
    ['<notice-1@hosting.example>'],
    'Contact list was incomplete',
  );
  s.contacts.push({
    kind: 'law-enforcement',
    organisation: 'OFAC (Police nationale)',
    person: 'Cdt. Martin',
    at: '2026-03-29T08:00:00.000Z',
    shared: 'attacker IPs | VPN logs',
    reference: 'PV-2026-117',
    by: 'alice',
  });
  s.conclusions = {
    rootCause: ROOT_CAUSE,
    contributingFactors: ['No secret scanning on public repositories', 'VPN logs kept only 7 days'],
    actions: [
      { action: 'Require hardware keys on the VPN', owner: 'it-ops' },
      { action: 'Enable secret scanning', owner: 'security' },
    ],
    conductedBy: 'internal',
    by: 'alice',
    at: '2026-04-01T09:00:00.000Z',
  };
  return s;
}

function auditOf(s: IncidentState): AuditEntry[] {
  const records: Omit<AuditRecord, 'incidentId' | 'seq'>[] = [
    { at: s.openedAt, actor: 'alice', action: 'incident.opened', details: { title: s.title } },
    {
      at: '2026-03-28T15:40:00.000Z',
      actor: 'system',
      action: 'evidence.collected',
      details: { system: 'db-1', sha256: SHA },
    },
  ];
  const chain: AuditEntry[] = [];
  records.forEach((r, i) => chain.push(chainEntry(chain[i - 1], { incidentId: s.incidentId, seq: i + 1, ...r })));
  return chain;
}

describe('root-cause analysis report', () => {
  const s = concludedState();
  const doc = rcaReport(s, auditOf(s), policy, '2026-04-01T10:00:00.000Z');
  const html = renderHtml(doc);
  const md = renderMarkdown(doc);

  it('states the root cause, contributing factors and actions with owners', () => {
    expect(html).toContain(`<p>Root cause: ${ROOT_CAUSE}</p>`);
    expect(html).toContain('<li>No secret scanning on public repositories</li>');
    expect(html).toContain('<tr><td>Require hardware keys on the VPN</td><td>it-ops</td></tr>');
    expect(mdText(md)).toContain(`Root cause: ${ROOT_CAUSE}`);
    expect(md).toContain('- No secret scanning on public repositories');
    expect(mdText(md)).toContain('| Require hardware keys on the VPN | it-ops |');
  });

  it('lists the evidence with its SHA-256, size and location', () => {
    expect(html).toContain(
      `<tr><td>db-1</td><td>data/INC-2026-042/evidence/db-1-1.img</td><td>53687091200 bytes</td><td>${SHA}</td><td>worker-1, 2026-03-28 16:40 UTC+01:00 (Europe/Paris)</td></tr>`,
    );
    expect(md).toContain(`| ${SHA} |`);
  });

  it('lists each obligation with its due time in Paris, status and proof; the late one is marked LATE with its reason', () => {
    expect(html).toContain(
      '<tr><td>Notify affected customers of the personal data breach (24 h)</td><td>2026-03-29 11:00 UTC+02:00 (Europe/Paris)</td>' +
        '<td>met LATE</td><td>2026-03-29 12:30 UTC+02:00 (Europe/Paris) by carol</td>' +
        '<td>&lt;notice-1@hosting.example&gt;; reason for delay: Contact list was incomplete</td><td>—</td></tr>',
    );
    expect(html).toContain(
      '<tr><td>Notify the CNIL (GDPR Art. 33, 72 h)</td><td>2026-03-31 11:00 UTC+02:00 (Europe/Paris)</td><td>pending</td><td></td><td></td><td>—</td></tr>',
    );
    const text = mdText(md);
    expect(text).toContain(
      '| Notify the CNIL (GDPR Art. 33, 72 h) | 2026-03-31 11:00 UTC+02:00 (Europe/Paris) | pending |  |  |',
    );
  });

  it('lists third-party contacts with time, organisation, person and what was shared', () => {
    expect(html).toContain(
      '<tr><td>2026-03-29 10:00 UTC+02:00 (Europe/Paris)</td><td>law-enforcement</td><td>OFAC (Police nationale)</td><td>Cdt. Martin</td><td>attacker IPs | VPN logs</td><td>alice</td></tr>',
    );
  });

  it('keeps a "|" in a contact detail inside its Markdown table cell', () => {
    const row = md.split('\n').find((l) => l.includes('Cdt. Martin'))!;
    expect(row).toContain('attacker IPs \\| VPN logs');
    const unescapedPipes = row.replace(/\\\|/g, '').split('|').length - 1;
    expect(unescapedPipes).toBe(7); // six columns
  });

  it('shows the incident header and the audit timeline', () => {
    expect(html).toContain('<tr><td>Aware since</td><td>2026-03-28 10:00 UTC+01:00 (Europe/Paris)</td></tr>');
    expect(html).toContain(
      '<tr><td>Acknowledged</td><td>2026-03-28 16:08 UTC+01:00 (Europe/Paris) by cto-dan</td></tr>',
    );
    expect(html).toContain(`<td>evidence.collected (system=db-1; sha256=${SHA})</td>`);
    expect(doc.subtitle).toBe(
      'Example Hosting SAS, internal. Incident INC-2026-042, rendered 2026-04-01 12:00 UTC+02:00 (Europe/Paris)',
    );
  });

  it('before conclusions, says who the analysis is assigned to', () => {
    const open = concludedState();
    delete open.conclusions;
    open.rcaAssignedTo = 'law-enforcement';
    expect(renderHtml(rcaReport(open, [], policy, '2026-03-30T10:00:00.000Z'))).toContain(
      '<p>Not yet concluded. Analysis assigned to: law enforcement.</p>',
    );
  });
});

describe('a hostile incident title in reports', () => {
  const title = 'DB breach <img src=x onerror=alert(1)>';
  const s = concludedState({ title });

  it('appears escaped in the HTML, never as a tag', () => {
    const html = renderHtml(rcaReport(s, auditOf(s), policy, '2026-04-01T10:00:00.000Z'));
    expect(html).not.toContain('<img');
    expect(html).toContain('<title>Root-cause analysis: DB breach &lt;img src=x onerror=alert(1)&gt;</title>');
    expect(html).toContain('<h1>Root-cause analysis: DB breach &lt;img src=x onerror=alert(1)&gt;</h1>');
    expect(html).toContain('<tr><td>Title</td><td>DB breach &lt;img src=x onerror=alert(1)&gt;</td></tr>');
  });

  it('appears escaped in the Markdown, so a renderer shows it as text', () => {
    const md = renderMarkdown(rcaReport(s, auditOf(s), policy, '2026-04-01T10:00:00.000Z'));
    expect(hasUnescaped(md, '<')).toBe(false);
    expect(mdText(md).split('\n')[0]).toBe('# Root-cause analysis: DB breach <img src=x onerror=alert(1)>');
    expect(mdText(md)).toContain('| Title | DB breach <img src=x onerror=alert(1)> |');
  });

  it('appears escaped in the regulator dossier and the RFO', () => {
    expect(renderHtml(regulatorDossier(s, policy, '2026-03-30T10:00:00.000Z'))).not.toContain('<img');
    expect(renderHtml(rfoReport(s, policy, '2026-04-01T10:00:00.000Z'))).not.toContain('<img');
  });
});

describe('regulator dossier (GDPR Art. 33(3))', () => {
  const s = concludedState();
  const onTime = renderMarkdown(regulatorDossier(s, policy, '2026-03-30T10:00:00.000Z'));
  const onTimeHtml = renderHtml(regulatorDossier(s, policy, '2026-03-30T10:00:00.000Z'));

  it('has the Art. 33(3) headings: nature, categories and numbers, DPO contact, consequences, measures', () => {
    const headings = mdText(onTime)
      .split('\n')
      .filter((l) => l.startsWith('## '));
    expect(headings).toEqual([
      '## Timing',
      '## (a) Nature of the breach',
      '## (a) Categories and approximate numbers concerned',
      '## (b) Data protection officer',
      '## (c) Likely consequences',
      '## (d) Measures taken or proposed',
      '## Information in phases (Art. 33(4))',
    ]);
  });

  it('fills each heading from the assessment and the policy', () => {
    expect(onTimeHtml).toContain('<h1>Personal data breach notification to the CNIL</h1>');
    expect(onTimeHtml).toContain(
      '<p>intrusion: Unauthorised access to the customer database. An attacker used a leaked VPN credential to reach the customer database.</p>',
    );
    expect(onTimeHtml).toContain('<tr><td>Categories of data</td><td>email addresses, hashed passwords</td></tr>');
    expect(onTimeHtml).toContain('<tr><td>Approximate number of people</td><td>1200</td></tr>');
    expect(onTimeHtml).toContain('<tr><td>Approximate number of records</td><td>45000</td></tr>');
    expect(onTimeHtml).toContain('<p>Data Protection Officer, dpo@example.com</p>');
    expect(onTimeHtml).toContain('<p>Phishing aimed at the people concerned</p>');
    expect(onTimeHtml).toContain('<p>Credentials rotated; VPN access now requires a hardware key</p>');
    expect(onTimeHtml).toContain(
      '<tr><td>Notification due</td><td>2026-03-31 11:00 UTC+02:00 (Europe/Paris)</td></tr>',
    );
  });

  it("includes the DPO's phone number when the policy has one", () => {
    const withPhone = policySchema.parse({
      dpo: { name: 'Claire Dupont', email: 'dpo@hosting.example', phone: '+33 1 23 45 67 89' },
    });
    expect(renderHtml(regulatorDossier(s, withPhone, '2026-03-30T10:00:00.000Z'))).toContain(
      '<p>Claire Dupont, dpo@hosting.example, +33 1 23 45 67 89</p>',
    );
  });

  it('rendered before the due time, does not ask for reasons for delay', () => {
    expect(mdText(onTime)).not.toContain('reasons for the delay');
  });

  it('rendered after the due time with no filing yet, says reasons for the delay must accompany it', () => {
    const late = regulatorDossier(s, policy, '2026-03-31T12:00:00.000Z');
    const sentence =
      'This notification is made after the 72-hour period; the reasons for the delay must accompany it (Art. 33(1)).';
    expect(mdText(renderMarkdown(late))).toContain(sentence);
    expect(renderHtml(late)).toContain(`<p>${sentence}</p>`);
  });

  it('re-rendered after the due time for an initial filing made on time, does not claim the notification is late', () => {
    const filed = concludedState();
    filed.regulatorFilings.push({
      phase: 'initial',
      reference: 'CNIL-2026-0042',
      filedAt: '2026-03-30T10:00:00.000Z',
      by: 'dpo-bob',
    });
    markMet(
      filed.obligations.find((o) => o.kind === 'notify-regulator')!,
      '2026-03-30T10:00:00.000Z',
      'dpo-bob',
      ['CNIL-2026-0042'],
    );
    // e.g. the dossier the workflow renders again when the incident is closed, a week later
    const html = renderHtml(regulatorDossier(filed, policy, '2026-04-07T10:00:00.000Z'));
    expect(html).toContain(
      '<tr><td>Filings so far</td><td>initial CNIL-2026-0042 (2026-03-30 12:00 UTC+02:00 (Europe/Paris))</td></tr>',
    );
    expect(html).not.toContain('reasons for the delay');
  });
});

describe('reason-for-outage report', () => {
  it('gives the cause, impact window and prevention without internal details', () => {
    const s = concludedState();
    s.restoredAt = '2026-03-30T14:00:00.000Z';
    const html = renderHtml(rfoReport(s, policy, '2026-04-01T10:00:00.000Z'));
    expect(html).toContain(`<p>${ROOT_CAUSE}</p>`);
    expect(html).toContain(
      '<p>From 2026-03-28 10:00 UTC+01:00 (Europe/Paris) to 2026-03-30 16:00 UTC+02:00 (Europe/Paris).</p>',
    );
    expect(html).toContain('<li>Law enforcement was informed.</li>');
    expect(html).toContain('<li>Require hardware keys on the VPN</li>');
    expect(html).not.toContain(SHA);
    expect(html).not.toContain('Cdt. Martin');
  });
});

describe('describeAudit', () => {
  it('summarises an entry by its action and up to three telling details', () => {
    const [, collected] = auditOf(concludedState());
    expect(describeAudit(collected)).toBe(`evidence.collected (system=db-1; sha256=${SHA})`);
  });
});
