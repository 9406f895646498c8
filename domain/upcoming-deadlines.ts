import { clockRequestOf } from './clocks/incident-clocks';
import { computeClocks } from './clocks/engine';
import { REGIME_PACKS } from './clocks/registry';
import type { ClockFacts } from './clocks/types';
import type { IncidentState } from './incident';
import type { Policy } from './policy';
import { formatInZone, formatUtc } from './time-format';

// What the senior alert tells leadership before anyone has assessed the breach: the deadlines each
// possible answer would open. They come from the same engine and policy the assessment runs (never a
// list typed here), asked "what if" with each answer, so a configured regime or a contract clock in the
// customer registry shows up without a change to this file.

interface Scenario {
  when: string;
  facts: ClockFacts;
}

/** The answers an assessment can give, from the least to the most that opens. */
const SCENARIOS: Scenario[] = [
  { when: 'If personal data is involved', facts: { personalData: true, riskToPeople: true } },
  { when: 'If project data is involved', facts: { projectData: true } },
  {
    when: 'If personal data is involved at high risk to people',
    facts: { personalData: true, riskToPeople: true, highRisk: true },
  },
];

/** Every customer of the registry (its own contract clock) and one outside it (the policy's fallback clock). */
function everyKindOfCustomer(policy: Policy): ClockFacts['customers'] {
  // Incidents opened before the registry existed keep a policy without it.
  return [...(policy.customers ?? []).map((c) => ({ name: c.name })), { name: 'an affected customer' }];
}

/**
 * "If personal data is involved: CNIL by 2026-03-31 12:00 UTC+02:00 (Europe/Paris) = 2026-03-31T10:00:00Z
 * UTC (GDPR (EU) 2016/679 Art. 33(1))", one line per deadline the first answer that opens it would open;
 * then one line per configured regime that no answer opens, saying which recorded event starts it.
 */
export function deadlinesOnceAssessed(s: IncidentState, policy: Policy): string[] {
  const base = clockRequestOf(s, policy);
  const seen = new Set<string>();
  const opened = new Set<string>();
  const lines: string[] = [];
  for (const { when, facts } of SCENARIOS) {
    const outcome = computeClocks(Object.values(REGIME_PACKS), {
      ...base,
      facts: { ...base.facts, ...facts, customers: everyKindOfCustomer(policy) },
    });
    for (const c of outcome.obligations) {
      opened.add(c.regime);
      const key = `${c.obligation}@${c.dueAt}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const utc = `${formatUtc(c.dueAt)} UTC`;
      lines.push(`${when}: ${c.recipient} by ${formatInZone(c.dueAt, policy.timeZone)} = ${utc} (${c.rule.citation})`);
    }
  }
  for (const id of new Set(base.regimes)) {
    if (opened.has(id)) continue;
    const pack = REGIME_PACKS[id];
    const starts = pack.events.filter((e) => e !== 'awareness' && !e.startsWith('submitted:'));
    lines.push(`${pack.title}: no deadline until one of these is recorded: ${starts.join(', ')}`);
  }
  return lines;
}

/** The same, never throwing: nothing in a policy an old incident kept may hold back the alert itself. */
export function deadlinesOnceAssessedOrNote(s: IncidentState, policy: Policy): string[] {
  try {
    return deadlinesOnceAssessed(s, policy);
  } catch (err) {
    return [`(They could not be computed: ${err instanceof Error ? err.message : String(err)}; see incident clocks.)`];
  }
}
