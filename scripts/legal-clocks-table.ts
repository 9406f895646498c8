import { computeClocks } from '../domain/clocks/engine';
import { ALL_PACKS } from '../domain/clocks/registry';
import type { ClockEvent, ClockFacts, ClockObligation, ClockOptions, RuleRef } from '../domain/clocks/types';

// Prints the README's "Legal clocks" tables from the regime packs: citations, versions, recipients,
// conventions and the events counted from come from the packs themselves, found by running the engine on
// worked examples that reach every rule. Only the deadline in words is written here, and a rule without
// one (a new rule, or a changed citation) stops the script, so the README cannot silently fall behind.
//   npm run build && node dist/scripts/legal-clocks-table.js

const DEADLINE: Record<string, string> = {
  'gdpr-art33-notification 33(1)': '72 h',
  'gdpr-art34-communication 34(1)': "without undue delay: the organisation's target hours (none statutory)",
  'nis2-early-warning 23(4)(a)': '24 h',
  'nis2-notification 23(4)(b)': '72 h',
  'nis2-notification second subparagraph': '24 h (trust service provider)',
  'nis2-intermediate-report 23(4)(c)': 'when the authority says',
  'nis2-progress-report 23(4)(e)': 'one month after the notification was submitted, while still ongoing',
  'nis2-final-report 23(4)(d)': 'one month after the notification was submitted',
  'nis2-final-report 23(4)(e)': 'one month after the incident is handled',
  'dora-initial (2)': '4 h after classification, no later than 24 h after awareness (the earlier)',
  'dora-intermediate 5(1)(b)': '72 h after the initial notification was submitted',
  'dora-intermediate-recovered second sentence': 'without undue delay once activities are recovered (24 h target)',
  'dora-final 5(1)(c)': 'one month after the latest intermediate report was submitted',
  'sec-8k 13(a)': '4 business days, 17:30 New York',
  'sec-8k-amendment Instruction 2': '4 business days after the information becomes available',
  'hipaa-individuals 164.404': '60 calendar days',
  'hipaa-hhs 164.408(a)': '60 calendar days, with the individuals (500 or more people)',
  'hipaa-hhs 164.408(c)': '60 days after the end of the calendar year (fewer than 500)',
  'hipaa-media 164.406': '60 calendar days (more than 500 residents of one state)',
  'hipaa-covered-entity 164.410': '60 calendar days, or the BAA’s own limit',
  'nydfs-notice 500.17(a)': '72 h',
  'nydfs-extortion-notice 500.17(c)(1)': '24 h',
  'nydfs-extortion-explanation 500.17(c)(2)': '30 calendar days',
  'lgpd-anpd Art. 6': '3 business days',
  'lgpd-data-subjects Art. 9': '3 business days',
  'lgpd-supplement Art. 6 §3': '20 business days',
  'contract:<customer-id> contract': "the contract's hours for personal or project data",
  'contract:policy policy': 'the policy’s 24 h (personal data) or 72 h (project data)',
};

function deadlineOf(r: RuleRef): string {
  // The longest hint wins: "(b), second subparagraph" also contains "(b)".
  const key = Object.keys(DEADLINE)
    .filter((k) => {
      const [id, ...hint] = k.split(' ');
      return id === r.id && r.citation.includes(hint.join(' '));
    })
    .sort((a, b) => b.length - a.length)[0];
  if (!key) throw new Error(`No deadline in words for ${r.id} (${r.citation}): add it to DEADLINE.`);
  return DEADLINE[key];
}

const at = (h: number) => new Date(Date.UTC(2026, 0, 5, 9) + h * 3_600_000).toISOString();
const ev = (name: ClockEvent['name'], h: number, extra: Partial<ClockEvent> = {}): ClockEvent => ({
  name,
  at: at(h),
  ...extra,
});

// Worked examples that between them reach every rule and variant the packs list.
const EVENTS: ClockEvent[] = [
  ev('awareness', 0),
  ev('discovered', 0),
  ev('classified-significant', 1),
  ev('classified-major', 2),
  ev('incident-determined', 3),
  ev('materiality-determined', 4, { reason: 'worked example' }),
  ev('extortion-paid', 5),
  ev('submitted:dora-initial', 6),
  ev('submitted:nis2-notification', 30),
  ev('submitted:dora-intermediate', 60),
  ev('submitted:lgpd-anpd', 60),
  ev('authority-request', 40, { dueAt: at(100) }),
  ev('information-available', 80, { regime: 'sec-8k' }),
  ev('activities-recovered', 90),
  ev('handled', 1000), // after the NIS2 final report's month: ongoing until then (Art. 23(4)(e))
];
const CUSTOMERS: ClockFacts['customers'] = [{ name: 'ACME', email: 'security@acme.example' }, { name: 'Other' }];
const OPTIONS: ClockOptions = {
  memberState: 'FR',
  doraEntityType: 'payment-institution',
  customers: [{ id: 'acme', name: 'ACME', contacts: ['security@acme.example'], personalDataHours: 48 }],
};
const FACTS: ClockFacts[] = [
  {
    personalData: true,
    projectData: true,
    riskToPeople: true,
    highRisk: true,
    ongoing: true,
    people: 600,
    residents: { CA: 600 },
    hipaaRole: 'covered-entity',
    customers: CUSTOMERS,
  },
  { personalData: true, trustServiceProvider: true, ongoing: false, people: 100, hipaaRole: 'business-associate' },
  { people: 100, hipaaRole: 'covered-entity' },
];

const regimes = ALL_PACKS.map((p) => p.id);
// Handled late (NIS2 (e) final report), never handled while ongoing (progress report), and no longer
// ongoing with the other answers flipped (NIS2 (d), a business associate, a TSP); HIPAA under 500.
const unhandled = EVENTS.filter((e) => e.name !== 'handled');
const SCENARIOS = [
  { facts: FACTS[0], events: EVENTS },
  { facts: FACTS[0], events: unhandled },
  { facts: FACTS[1], events: unhandled },
  { facts: FACTS[2], events: unhandled },
];
const produced: ClockObligation[] = SCENARIOS.flatMap(
  ({ facts, events }) => computeClocks(ALL_PACKS, { regimes, events, facts, options: OPTIONS }).obligations,
);

function exampleOf(r: RuleRef): ClockObligation {
  // A customer's clock is named after the customer and cites its contract, so it matches by pattern.
  const perCustomer = r.id === 'contract:<customer-id>';
  const found = produced.find((o) =>
    perCustomer
      ? o.regime === 'contract' && o.rule.id !== 'contract:policy'
      : o.rule.id === r.id && o.rule.citation === r.citation,
  );
  if (!found) throw new Error(`No worked example produces ${r.id} (${r.citation}): add one to this script.`);
  return found;
}

const cell = (s: string) => s.replace(/\|/g, '\\|');
const out: string[] = [];
for (const pack of ALL_PACKS) {
  out.push(`#### ${pack.id}: ${cell(pack.title)}`, '');
  out.push(`Legal time zone: ${pack.defaultZone} (change with \`zone:${pack.id}\`).`, '');
  out.push('| Obligation | Counts from | Deadline | Convention | Recipient | Citation (rule version, applies from) |');
  out.push('| --- | --- | --- | --- | --- | --- |');
  for (const r of pack.rules) {
    const o = exampleOf(r);
    // The examples name one customer and one state; the table names the kind of recipient.
    const recipient =
      pack.id === 'contract'
        ? 'the customer'
        : r.id === 'hipaa-media'
          ? 'prominent media outlets in the state'
          : o.recipient;
    out.push(
      `| \`${r.id}\` | \`${o.anchor.event}\` | ${cell(deadlineOf(r))} | ${o.convention} | ${cell(recipient)} | ` +
        `${cell(r.citation)} (v${r.version}, ${r.appliesFrom}) |`,
    );
  }
  out.push('');
}
process.stdout.write(out.join('\n'));
