import { describe, expect, it } from 'vitest';
import { computeClocks } from '../../domain/clocks/engine';
import { clockRequestOf, obligationOf, type RecordedClockEvent } from '../../domain/clocks/incident-clocks';
import { ALL_PACKS } from '../../domain/clocks/registry';
import { REGIME_IDS, type EventName } from '../../domain/clocks/types';
import type { IncidentState } from '../../domain/incident';
import { PHASE_REPORT_KINDS, phaseReport, type PhaseReportKind } from '../../domain/phase-reports';
import { policySchema, type Policy } from '../../domain/policy-schema';
import { renderHtml, renderMarkdown } from '../../domain/report-document';
import { rcaReport, regulatorDossier, REPORT_KINDS } from '../../domain/reports';
import { assessedState, markdownText } from './builders';

// What a filer checks in each phase report before sending it: the missing fields are named at the top
// (and drop off once the incident holds them), the deadline carries its rule, DORA writes UTC, the SEC
// draft names the materiality determination, HIPAA has every 164.404(c)(1) element, and HTML stays text.

const RENDERED = '2026-04-02T10:00:00.000Z';
const policy: Policy = policySchema.parse({ regimes: [...REGIME_IDS] });

const event = (name: EventName, at: string, more: Partial<RecordedClockEvent> = {}): RecordedClockEvent => ({
  name,
  at,
  by: 'alice',
  recordedAt: RENDERED,
  ...more,
});

const MATERIAL = 'Exfiltrated customer data puts the largest hosting contract at risk';

/** Awareness 28 March 09:00 UTC; significant an hour later, major 10 h later, material two days later. */
const BASE_EVENTS: RecordedClockEvent[] = [
  event('discovered', '2026-03-27T20:00:00.000Z'),
  event('classified-significant', '2026-03-28T10:00:00.000Z'),
  event('classified-major', '2026-03-28T19:00:00.000Z', { reason: 'clients affected and data losses thresholds met' }),
  event('materiality-determined', '2026-03-30T14:00:00.000Z', { reason: MATERIAL }),
];

/** An incident as the workflow keeps it: the engine's obligations, with their clocks, and its questions. */
function incident(
  events: RecordedClockEvent[] = BASE_EVENTS,
  over: { title?: string; category?: IncidentState['category'] } = {},
  p: Policy = policy,
): IncidentState {
  const s = assessedState(p, over.title ? { title: over.title } : {});
  if (over.category) s.category = over.category;
  s.clocks = { events, facts: { hipaaRole: 'covered-entity' }, undecided: [] };
  const outcome = computeClocks(ALL_PACKS, clockRequestOf(s, p));
  s.obligations = outcome.obligations.map(obligationOf);
  s.clocks.undecided = outcome.undecided;
  return s;
}

const md = (kind: PhaseReportKind, s: IncidentState, p: Policy = policy) =>
  markdownText(renderMarkdown(phaseReport(kind, s, p, RENDERED)));

/** The lines of the "Missing before filing" section, as a reader sees them. */
function missing(text: string): string {
  return text.split('## Missing before filing')[1].split('\n## ')[0];
}

describe('every phase report', () => {
  it('is a report kind of `incident report`', () => {
    for (const kind of PHASE_REPORT_KINDS) expect(REPORT_KINDS).toContain(kind);
  });

  it.each([
    {
      kind: 'nis2-early-warning',
      citation: 'NIS2 Directive (EU) 2022/2555 Art. 23(4)(a)',
      rule: 'nis2-early-warning@1',
    },
    { kind: 'nis2-notification', citation: 'Art. 23(4)(b)', rule: 'nis2-notification@1' },
    { kind: 'nis2-final-report', citation: 'Art. 23(4)(d)', rule: 'nis2-final-report@1' },
    { kind: 'dora-initial', citation: 'Delegated Regulation (EU) 2025/301 Art. 5', rule: 'dora-initial@1' },
    { kind: 'dora-intermediate', citation: 'Art. 19(4)(b)', rule: 'dora-intermediate@1' },
    { kind: 'dora-final', citation: 'Art. 19(4)(c)', rule: 'dora-final@1' },
    { kind: 'sec-8k', citation: 'Form 8-K Item 1.05(a)', rule: 'sec-8k@2023-12-18' },
    { kind: 'hipaa-individuals', citation: '45 CFR 164.404(a)(1)', rule: 'hipaa-individuals@2013-03-26' },
  ] as const)(
    '$kind opens with what is missing, then its deadline and rule ($citation)',
    ({ kind, citation, rule }) => {
      // The later phases need the earlier ones submitted, so that their clocks exist.
      const s = incident([
        ...BASE_EVENTS,
        event('submitted:nis2-early-warning', '2026-03-28T12:00:00.000Z'),
        event('submitted:nis2-notification', '2026-03-29T12:00:00.000Z'),
        event('submitted:dora-initial', '2026-03-28T20:00:00.000Z', { reference: 'ACPR-2026-7' }),
        event('submitted:dora-intermediate', '2026-03-30T20:00:00.000Z'),
      ]);
      const text = md(kind, s);
      const html = renderHtml(phaseReport(kind, s, policy, RENDERED));
      const sections = [...text.matchAll(/^## (.*)$/gm)].map((m) => m[1]);
      expect(sections.slice(0, 2)).toEqual(['Missing before filing', 'Deadline and legal basis']);
      expect(html.indexOf('<h2>Missing before filing</h2>')).toBeLessThan(html.indexOf('<h2>Deadline and legal basis'));
      expect(text).toContain(citation);
      expect(text).toContain(`(${rule}, applies from`);
      expect(missing(text)).not.toContain('Deadline: no');
      expect(text.trimEnd().split('\n').at(-1)).toMatch(/^Audit trail: /);
    },
  );

  it.each(PHASE_REPORT_KINDS)('%s keeps a title with <script> as text in HTML', (kind) => {
    const s = incident(BASE_EVENTS, { title: '<script>alert(1)</script> & co' });
    const html = renderHtml(phaseReport(kind, s, policy, RENDERED));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; co');
  });

  it.each(PHASE_REPORT_KINDS)('%s says which event starts its clock when none does yet', (kind) => {
    const text = md(kind, incident([]));
    expect(missing(text)).toMatch(/Deadline: no [a-z0-9-]+ obligation computed; record the event/);
  });
});

describe('NIS2', () => {
  it('early warning: cross-border impact is always missing; malicious suspicion only until the category says', () => {
    const other = missing(md('nis2-early-warning', incident(BASE_EVENTS, { category: 'other' })));
    expect(other).toContain('Could have a cross-border impact: not recorded in the incident');
    expect(other).toContain('Suspected of being caused by unlawful or malicious acts: the category "other"');
    const intrusion = md('nis2-early-warning', incident());
    expect(missing(intrusion)).not.toContain('Suspected of being caused');
    expect(intrusion).toContain('yes: the incident is categorised as intrusion, a malicious act');
  });

  it('notification: the initial assessment gives severity and impact; indicators of compromise are missing', () => {
    const text = md('nis2-notification', incident());
    expect(text).toMatch(/\| Severity \| SEV1 \|/);
    expect(text).toContain('data impact: personal, categories: email addresses, hashed passwords, about 1200 people');
    expect(missing(text)).toContain('Indicators of compromise (where available)');
    expect(missing(text)).toContain('Early warning submitted: record the event submitted:nis2-early-warning');
  });

  it('final report: the root cause and ongoing measures are missing until the conclusions are recorded', () => {
    const s = incident([...BASE_EVENTS, event('submitted:nis2-notification', '2026-03-29T12:00:00.000Z')]);
    expect(missing(md('nis2-final-report', s))).toContain('Root cause: no conclusions recorded');
    s.conclusions = {
      rootCause: 'A leaked VPN credential',
      contributingFactors: ['No second factor'],
      actions: [{ action: 'Require hardware keys', owner: 'it-ops' }],
      conductedBy: 'internal',
      by: 'alice',
      at: '2026-04-01T09:00:00.000Z',
    };
    const text = md('nis2-final-report', s);
    expect(missing(text)).not.toContain('Root cause');
    expect(text).toContain('| Ongoing | Require hardware keys (owner: it-ops) |');
    expect(missing(text)).toContain('Could have a cross-border impact');
  });
});

describe('DORA', () => {
  it('initial notification: detection and classification in ISO 8601 UTC, BCP and Member States missing', () => {
    const text = md('dora-initial', incident());
    expect(text).toContain('| Date and time of detection (UTC) | 2026-03-28T09:00:00Z (awareness recorded) |');
    expect(text).toContain('| Date and time of classification as major (UTC) | 2026-03-28T19:00:00Z |');
    expect(text).toContain('clients affected and data losses thresholds met');
    const gaps = missing(text);
    for (const field of ['Business continuity plan activated', 'Member States impacted', 'LEI code'])
      expect(gaps).toContain(field);
    expect(gaps).toContain('Type of financial entity: set clocks.doraEntityType');
    expect(gaps).toContain('Undecided: dora: answer the DORA entity type');
    // Every date in the form's fields is UTC: no zone-local time outside the deadline's own row.
    const fields = text.split('## General information')[1];
    expect(fields).not.toMatch(/UTC[+-]\d\d:\d\d/);
  });

  it('the entity type drops off the missing list once the configuration names it', () => {
    const typed = policySchema.parse({ regimes: [...REGIME_IDS], clocks: { doraEntityType: 'credit-institution' } });
    const gaps = missing(md('dora-initial', incident(BASE_EVENTS, {}, typed), typed));
    expect(gaps).not.toContain('Type of financial entity');
    expect(gaps).not.toContain('Undecided: dora');
  });

  it('intermediate report: the authority reference and recovery time come from the events, in UTC', () => {
    const events = [
      ...BASE_EVENTS,
      event('submitted:dora-initial', '2026-03-28T20:00:00.000Z', { reference: 'ACPR-2026-7' }),
    ];
    const before = md('dora-intermediate', incident(events));
    expect(missing(before)).toContain('Date and time regular activities were recovered (UTC): record the event');
    expect(before).toContain('| Incident reference code (competent authority) | ACPR-2026-7 |');
    const after = md(
      'dora-intermediate',
      incident([...events, event('activities-recovered', '2026-03-29T07:30:00.000Z')]),
    );
    expect(missing(after)).not.toContain('regular activities were recovered');
    expect(after).toContain('| Date and time regular activities were recovered (UTC) | 2026-03-29T07:30:00Z |');
    for (const field of ['Economic impact', 'Transactions affected', 'Date and time of occurrence'])
      expect(missing(after)).toContain(field);
  });

  it('final report: costs and losses are missing; the root cause appears once concluded', () => {
    const s = incident([...BASE_EVENTS, event('submitted:dora-intermediate', '2026-03-30T20:00:00.000Z')]);
    s.conclusions = {
      rootCause: 'A leaked VPN credential',
      contributingFactors: [],
      actions: [],
      conductedBy: 'internal',
      by: 'alice',
      at: '2026-04-01T09:00:00.000Z',
    };
    const text = md('dora-final', s);
    expect(text).toContain('| Root causes | A leaked VPN credential |');
    expect(missing(text)).toContain('Costs and losses');
  });
});

describe('SEC Form 8-K Item 1.05', () => {
  it("names the determination's date, in New York, and its reason, and asks for the financial impact", () => {
    const text = md('sec-8k', incident());
    expect(text).toContain('| Date of the determination | 2026-03-30 10:00 UTC-04:00 (America/New_York) |');
    expect(text).toContain(`| Reason | ${MATERIAL} |`);
    expect(missing(text)).toContain('Impact on financial condition and results of operations');
    expect(text).toContain('| Delay | none recorded |');
  });

  it('without a determination, its date and reason are the first things missing', () => {
    const text = missing(md('sec-8k', incident(BASE_EVENTS.slice(0, 3))));
    expect(text).toContain('Date of the determination: record the event materiality-determined');
    expect(text).toContain('Reason: record the reason');
  });

  it('shows a delay granted under Item 1.05(c) with its reference', () => {
    const s = incident([
      ...BASE_EVENTS,
      event('delay-start', '2026-03-31T15:00:00.000Z', { regime: 'sec-8k', reference: 'DOJ-2026-11' }),
    ]);
    expect(md('sec-8k', s)).toMatch(/\| Delay \| delay granted 2026-03-31T15:00:00.000Z \(DOJ-2026-11\)/);
  });
});

describe('HIPAA notice to individuals', () => {
  it('has each element of 45 CFR 164.404(c)(1), filled where the incident knows it', () => {
    const text = md('hipaa-individuals', incident());
    for (const heading of [
      '(A) What happened',
      '(B) Types of unsecured protected health information involved',
      '(C) Steps individuals should take',
      '(D) What we are doing',
      '(E) Contact procedures',
    ])
      expect(text).toContain(`## ${heading}`);
    expect(text).toContain('| Date of discovery | 2026-03-27 16:00 UTC-04:00 (America/New_York) |');
    expect(text).toContain('| Types of information | email addresses, hashed passwords |');
    expect(text).toContain('| E-mail address | dpo@example.com |');
    const gaps = missing(text);
    expect(gaps).toContain('Date of the breach (if known)');
    expect(gaps).toContain('Steps to protect themselves');
    expect(gaps).toContain('Toll-free telephone number: no telephone number in the policy');
  });

  it('the telephone number drops off the missing list once the policy has one', () => {
    const withPhone = policySchema.parse({
      regimes: [...REGIME_IDS],
      dpo: { name: 'DPO', email: 'dpo@example.com', phone: '+1 800 555 0100' },
    });
    const text = md('hipaa-individuals', incident(BASE_EVENTS, {}, withPhone), withPhone);
    expect(missing(text)).not.toContain('Toll-free');
    expect(text).toContain('+1 800 555 0100 (check that it is toll-free)');
  });
});

describe('the legal basis in the existing reports', () => {
  const s = incident();

  it("the dossier's obligations show the GDPR rule's citation, id@version and why, and the GDPR questions left open", () => {
    const text = markdownText(renderMarkdown(regulatorDossier(s, policy, RENDERED)));
    expect(text).toContain('GDPR (EU) 2016/679 Art. 33(1) (gdpr-art33-notification@1, applies from 2018-05-25)');
    expect(text).toContain('72 hours of elapsed time from then (Art. 33(1))');
    expect(text).toContain('- Undecided: gdpr-art34: answer high-risk=yes|no');
    // The supervisory authority's dossier carries neither the SEC's nor DORA's clocks.
    expect(text).not.toContain('Form 8-K');
    expect(text).not.toContain('Undecided: dora');
  });

  it("the RCA shows every regime's legal basis and every undecided question", () => {
    const text = markdownText(renderMarkdown(rcaReport(s, [], policy, RENDERED)));
    expect(text).toContain('| Obligation | Due | Status | Met | Proof | Legal basis |');
    expect(text).toContain('(sec-8k@2023-12-18, applies from 2023-12-18)');
    expect(text).toContain('- Undecided: dora: answer the DORA entity type');
    expect(text).toContain('- Undecided: hipaa: answer residents=<state>:<n> (for hipaa-media)');
  });
});
