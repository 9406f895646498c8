import type { RegimeId, UndecidedClock } from './clocks/types';
import { isLate } from './deadlines';
import type { IncidentState, Obligation } from './incident';
import { list, table, type Block } from './report-document';
import { formatInZone } from './time-format';

// The obligations as every report shows them, with the legal basis of each one the clock engine produced:
// a reader (or an authority) must be able to see which rule, in which version, set a deadline and why it
// applies, without asking the system. Shared by the RCA, the dossier and the phase reports.

/** "NIS2 Directive (EU) 2022/2555 Art. 23(4)(a) (nis2-early-warning@1)", then the `why` sentences. */
export function legalBasis(o: Obligation): string[] {
  const c = o.clock;
  if (!c) return [];
  return [
    `${c.rule.citation} (${c.rule.id}@${c.rule.version}, applies from ${c.rule.appliesFrom})`,
    ...c.why,
    ...(c.lateBecause ? [`late because ${c.lateBecause}`] : []),
    ...(c.pausedUntilDelayEnd ? ['paused: due when the granted delay ends'] : []),
  ];
}

function statusText(o: Obligation): string {
  if (o.status !== 'met') return o.status;
  return `met${o.metAt && isLate(o, new Date(o.metAt)) ? ' LATE' : ''}`;
}

function obligationRow(o: Obligation, tz: string): string[] {
  return [
    o.title,
    formatInZone(o.dueAt, tz),
    statusText(o),
    o.metAt ? `${formatInZone(o.metAt, tz)} by ${o.metBy ?? '?'}` : '',
    [
      o.proof.join(', '),
      o.lateReason ? `reason for delay: ${o.lateReason}` : '',
      o.waivedReason ? `waived: ${o.waivedReason}` : '',
    ]
      .filter(Boolean)
      .join('; '),
    // A cell is one line in Markdown, so the sentences are joined; "—" for the obligations of before the engine.
    legalBasis(o).join('; ') || '—',
  ];
}

export function obligationTable(obligations: Obligation[], tz: string): Block {
  return table(
    ['Obligation', 'Due', 'Status', 'Met', 'Proof', 'Legal basis'],
    obligations.map((o) => obligationRow(o, tz)),
  );
}

/** Regimes that may apply but lack a fact: shown, so that nobody reads their absence as "does not apply". */
export function undecidedLine(u: UndecidedClock): string {
  return `Undecided: ${u.regime}: ${u.question}${u.obligation ? ` (for ${u.obligation})` : ''}`;
}

/** The undecided questions, of the regimes named (all when none is). */
export function undecidedLines(s: IncidentState, regimes?: readonly RegimeId[]): string[] {
  return (s.clocks?.undecided ?? []).filter((u) => !regimes || regimes.includes(u.regime)).map(undecidedLine);
}

/** The undecided questions as a list block, or nothing when every regime is decided. */
export function undecidedBlocks(s: IncidentState, regimes?: readonly RegimeId[]): Block[] {
  const lines = undecidedLines(s, regimes);
  return lines.length ? [list(lines)] : [];
}
