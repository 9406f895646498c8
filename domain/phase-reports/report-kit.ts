import type { RecordedClockEvent } from '../clocks/incident-clocks';
import type { EventName, RegimeId } from '../clocks/types';
import type { IncidentState, Obligation } from '../incident';
import { legalBasis, undecidedLines } from '../obligation-table';
import type { Policy } from '../policy';
import { list, para, table, type Block, type ReportDocument, type Section } from '../report-document';
import { formatInZone } from '../time-format';
import { trailWitnessLine } from '../trail-head';
import { latestEvent } from '../clocks/regimes/obligation-kit';

// What every phase report shares: fields that are either filled from the incident or listed as missing at
// the top, the deadline with the rule that set it, and the trail footer. A value the incident does not hold
// is never guessed: a filer must see at a glance what they still have to establish before filing.

/** One field a form asks for: its value from the incident, or what to do because there is none. */
export interface Field {
  label: string;
  value?: string;
  /** Shown at the top under "Missing before filing" when there is no value. */
  missing: string;
}

export interface FieldGroup {
  heading: string;
  fields: Field[];
  /** Anything that is not a field: a containment table, a list of actions. */
  blocks?: Block[];
}

/** For what a form asks and the incident model has no field for: said once, the same everywhere. */
export const NOT_HELD = 'not recorded in the incident; establish it and write it in the filing';

export function field(label: string, value: string | undefined, missing: string): Field {
  return { label, value: value === undefined || value.trim() === '' ? undefined : value, missing };
}

/** A field the incident cannot hold at all (cross-border impact, economic impact…). */
export function notHeld(label: string, hint?: string): Field {
  return { label, missing: hint ? `${NOT_HELD} (${hint})` : NOT_HELD };
}

/** 2026-03-28T09:00:00Z: ISO 8601 in UTC, as DORA's template and every `why` sentence write it. */
export function utcIso(iso: string): string {
  return new Date(iso).toISOString().replace(/\.000Z$/, 'Z');
}

/** The event of that name that counts: a correction is a later record of the same name, so the last wins. */
export function lastEvent(s: IncidentState, name: EventName): RecordedClockEvent | undefined {
  return latestEvent(s.clocks?.events ?? [], name);
}

export function eventsOf(s: IncidentState, name: EventName, regime?: RegimeId): RecordedClockEvent[] {
  return (s.clocks?.events ?? []).filter((e) => e.name === name && (!e.regime || !regime || e.regime === regime));
}

/** "2026-03-29T08:00:00Z by alice, reference CSIRT-17": how a recorded event is quoted in a field. */
export function eventText(e: RecordedClockEvent | undefined, time: (iso: string) => string): string | undefined {
  if (!e) return undefined;
  return [time(e.at), `recorded by ${e.by}`, e.reference ? `reference ${e.reference}` : ''].filter(Boolean).join(', ');
}

export function joined(items: (string | undefined)[], sep = '; '): string | undefined {
  const kept = items.filter((x): x is string => !!x && x.trim() !== '');
  return kept.length ? kept.join(sep) : undefined;
}

/** What the assessment says about data, as one sentence, or undefined before an assessment. */
export function dataImpactText(s: IncidentState): string | undefined {
  const a = s.assessment;
  if (!a) return undefined;
  return joined(
    [
      `data impact: ${a.dataImpact}`,
      a.dataCategories.length ? `categories: ${a.dataCategories.join(', ')}` : undefined,
      a.approxPeople !== undefined ? `about ${a.approxPeople} people` : undefined,
      a.approxRecords !== undefined ? `about ${a.approxRecords} records` : undefined,
    ],
    ', ',
  );
}

export function systemsText(s: IncidentState): string | undefined {
  return s.systems.length ? s.systems.map((x) => x.name).join(', ') : undefined;
}

/** Measures applied so far: the assessment's, isolation and evidence, and restoration. */
export function appliedMeasures(s: IncidentState): string | undefined {
  const isolated = s.systems.filter((x) => x.isolation.state === 'done' || x.isolation.state === 'manual');
  return joined([
    s.assessment?.measures,
    isolated.length ? `isolated: ${isolated.map((x) => x.name).join(', ')}` : undefined,
    s.restoredAt ? `service restored ${utcIso(s.restoredAt)}` : undefined,
  ]);
}

/** Measures still to come: the conclusions' actions with their owners. */
export function ongoingMeasures(s: IncidentState): string | undefined {
  return joined((s.conclusions?.actions ?? []).map((a) => `${a.action} (owner: ${a.owner})`));
}

export interface PhaseSpec {
  title: string;
  /** The article or annex that says what the report must contain. */
  contentBasis: string;
  regime: RegimeId;
  /** The obligation ids this report meets, the first found being shown (dora-intermediate has two kinds). */
  obligationIds: string[];
  /** What to record when no obligation was computed yet, e.g. "record the event classified-major". */
  startsWith: string;
  groups: FieldGroup[];
}

export interface PhaseContext {
  s: IncidentState;
  policy: Policy;
  renderedAt: string;
}

/** The obligation this report meets: a pending one first, as that is the one being prepared. */
export function obligationOf(s: IncidentState, ids: string[]): Obligation | undefined {
  const found = s.obligations.filter((o) => ids.includes(o.id));
  return found.find((o) => o.status === 'pending') ?? found[found.length - 1];
}

function deadlineSection(spec: PhaseSpec, ctx: PhaseContext, ob: Obligation | undefined): Section {
  if (!ob)
    return { heading: 'Deadline and legal basis', blocks: [para(`No deadline computed yet: ${spec.startsWith}.`)] };
  const zone = ob.clock?.zone ?? ctx.policy.timeZone;
  const submitted = lastEvent(ctx.s, `submitted:${ob.id}`);
  const rows: [string, string | undefined][] = [
    ['Recipient', ob.owedTo],
    ['Due (UTC)', utcIso(ob.dueAt)],
    ['Due (legal time zone)', formatInZone(ob.dueAt, zone)],
    ['Status', ob.status === 'met' && ob.metAt ? `met ${utcIso(ob.metAt)} by ${ob.metBy ?? '?'}` : ob.status],
    ['Counted from', ob.clock ? `${ob.clock.anchor.event} at ${utcIso(ob.clock.anchor.at)}` : undefined],
    ['Counting convention', ob.clock?.convention],
    ['Submitted', eventText(submitted, utcIso)],
  ];
  return {
    heading: 'Deadline and legal basis',
    blocks: [
      table(
        ['Field', 'Value'],
        rows.filter((r): r is [string, string] => r[1] !== undefined),
      ),
      ...(ob.clock ? [list(legalBasis(ob))] : []),
    ],
  };
}

function groupSection(g: FieldGroup): Section {
  return {
    heading: g.heading,
    blocks: [
      ...(g.fields.length
        ? [
            table(
              ['Field', 'Value'],
              g.fields.map((f) => [f.label, f.value ?? 'MISSING (see "Missing before filing")']),
            ),
          ]
        : []),
      ...(g.blocks ?? []),
    ],
  };
}

/** The document: what is missing first, then the deadline, then the form's content, then the trail. */
export function phaseDocument(spec: PhaseSpec, ctx: PhaseContext): ReportDocument {
  const { s, policy, renderedAt } = ctx;
  const ob = obligationOf(s, spec.obligationIds);
  const missing = [
    ...(ob ? [] : [`Deadline: no ${spec.obligationIds[0]} obligation computed; ${spec.startsWith}`]),
    ...spec.groups.flatMap((g) => g.fields.filter((f) => f.value === undefined).map((f) => `${f.label}: ${f.missing}`)),
    // A question the engine could not decide for this regime may change whether or when this report is owed.
    ...undecidedLines(s, [spec.regime]),
  ];
  return {
    title: spec.title,
    subtitle: `${policy.organisation}. Incident ${s.incidentId}, draft prepared ${utcIso(renderedAt)} (times in UTC unless a zone is named)`,
    sections: [
      {
        heading: 'Missing before filing',
        blocks: missing.length
          ? [list(missing)]
          : [para('Nothing: every field below is filled from the incident. Check each value before filing.')],
      },
      deadlineSection(spec, ctx, ob),
      ...spec.groups.map(groupSection),
      { heading: 'What this report must contain', blocks: [para(spec.contentBasis)] },
    ],
    footer: trailWitnessLine(s.incidentId, s.auditHead),
  };
}

/** Times read in the rule's legal zone (the obligation's), else the policy's: what the recipient reads. */
export function legalTime(ctx: PhaseContext, ids: string[]): (iso: string) => string {
  const zone = obligationOf(ctx.s, ids)?.clock?.zone ?? ctx.policy.timeZone;
  return (iso) => formatInZone(iso, zone);
}
