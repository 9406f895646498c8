import type { Assessment, IncidentState, Obligation, ObligationKind } from '../incident';
import type { Policy } from '../policy';
import type { ClockEvent, ClockFacts, ClockObligation, ClockOptions, RegimeId, UndecidedClock } from './types';

// How an incident feeds the legal-clock engine and keeps what it says. The workflow holds the events and
// facts people recorded; the engine (run in an activity, so that its result is in history and a later
// holiday-data release never changes a replayed deadline) turns them into obligations.

/** What an obligation keeps of the rule that produced it: enough to say why and how it was counted. */
export type ObligationClock = Omit<ClockObligation, 'obligation' | 'title' | 'recipient' | 'dueAt'> & {
  /** Bumped each time the deadline moves, so that the new deadline's reminders are new mails. */
  revision?: number;
};

export interface RecordedClockEvent extends ClockEvent {
  by: string;
  recordedAt: string;
}

export interface IncidentClocks {
  events: RecordedClockEvent[];
  /** Facts people recorded; they override what the assessment implies. */
  facts: ClockFacts;
  undecided: UndecidedClock[];
}

export interface ClockRequest {
  regimes: RegimeId[];
  events: ClockEvent[];
  facts: ClockFacts;
  options: ClockOptions;
}

/** Regimes of policies written before regimes were configurable: the two clocks they always had. */
export const DEFAULT_REGIMES: RegimeId[] = ['gdpr-art33', 'gdpr-art34', 'contract'];

export function emptyClocks(): IncidentClocks {
  return { events: [], facts: {}, undecided: [] };
}

function factsOfAssessment(a: Assessment | undefined): ClockFacts {
  if (!a) return {};
  const personal = a.dataImpact === 'personal' || a.dataImpact === 'both';
  return {
    personalData: personal,
    projectData: a.dataImpact === 'project' || a.dataImpact === 'both',
    ...(personal ? { riskToPeople: a.regulatorRequired } : {}),
    ...(a.approxPeople !== undefined ? { people: a.approxPeople } : {}),
    customers: a.customers.map((c) => ({ name: c.name, email: c.email })),
  };
}

export function clockOptionsOf(policy: Policy): ClockOptions {
  const c = policy.clocks;
  return {
    zones: c?.zones,
    memberState: c?.memberState,
    supervisoryAuthority: policy.regulator.name,
    nis2Authority: c?.nis2Authority,
    doraAuthority: c?.doraAuthority,
    doraEntityType: c?.doraEntityType,
    doraReliefDisapplied: c?.doraReliefDisapplied,
    art34TargetHours: c?.art34TargetHours,
    contractPersonalDataHours: policy.customerPersonalDataHours,
    contractProjectDataHours: policy.customerProjectDataHours,
    customers: policy.customers,
  };
}

/** The recorded events as the engine reads them, without who recorded them and when. */
export function plainEvents(clocks: IncidentClocks | undefined): ClockEvent[] {
  return (clocks?.events ?? []).map(({ by: _by, recordedAt: _recordedAt, ...event }) => event);
}

/** The engine's whole input for an incident: awareness always counts, then what people recorded. */
export function clockRequestOf(s: IncidentState, policy: Policy): ClockRequest {
  return {
    regimes: policy.regimes ?? DEFAULT_REGIMES,
    events: [{ name: 'awareness', at: s.awareAt }, ...plainEvents(s.clocks)],
    facts: { ...factsOfAssessment(s.assessment), ...s.clocks?.facts },
    options: clockOptionsOf(policy),
  };
}

/** The obligation kinds the existing actions meet: the regulator filing and the customer notice. */
export function kindOf(c: Pick<ClockObligation, 'regime' | 'obligation'>): ObligationKind {
  if (c.obligation === 'gdpr-art33-notification') return 'notify-regulator';
  if (c.regime === 'contract') return 'notify-customers';
  return 'legal-clock';
}

export function obligationOf(c: ClockObligation): Obligation {
  const { obligation, title, recipient, dueAt, ...clock } = c;
  return {
    id: obligation,
    kind: kindOf(c),
    title,
    owedTo: recipient,
    dueAt,
    status: 'pending',
    proof: [],
    noticesSent: [],
    deliveryFailures: [],
    clock,
  };
}

/** " Open obligations: … Undecided: …", the tail of an action's answer that opened or moved clocks. */
export function describeOpenClocks(s: IncidentState): string {
  const open = s.obligations.filter((o) => o.status === 'pending').map((o) => `${o.id} due ${o.dueAt}`);
  const undecided = (s.clocks?.undecided ?? []).map((u) => `${u.regime}: ${u.question}`);
  return [
    open.length ? ` Open obligations: ${open.join('; ')}.` : '',
    undecided.length ? ` Undecided: ${undecided.join('; ')}.` : '',
  ].join('');
}
