// The incident model: what an incident is, as every layer sees it.
// Times are ISO-8601 strings so that state crosses Temporal payloads and JSON files unchanged.

import type { EvidenceRecord } from './evidence';
import type { AuditHead } from './audit-entry';
import type { IncidentClocks } from './clocks/incident-clocks';
import type { Obligation } from './obligation-record';

export type { CustodyEvent, EvidenceRecord } from './evidence';
export { OBLIGATION_KINDS, type Obligation, type ObligationKind, type ObligationStatus } from './obligation-record';

export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CATEGORIES = ['intrusion', 'malware', 'data-breach', 'denial-of-service', 'insider', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

export const DATA_IMPACTS = ['none', 'personal', 'project', 'both'] as const;
export type DataImpact = (typeof DATA_IMPACTS)[number];

export const PHASES = ['containment', 'assessment', 'response', 'review', 'closed'] as const;
export type Phase = (typeof PHASES)[number];

/** An incident id: also the workflow id and the audit file's name, so it never holds a path separator. */
export const INCIDENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** A system name, as in the systems configuration and in alerts. */
export const SYSTEM_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export const CONTACT_KINDS = [
  'law-enforcement',
  'regulator',
  'customer',
  'vendor',
  'insurer',
  'legal-counsel',
  'other',
] as const;
export type ContactKind = (typeof CONTACT_KINDS)[number];

export interface OpenIncidentRequest {
  incidentId: string;
  title: string;
  severity: Severity;
  category: Category;
  systems: string[];
  detection: string;
  /** When the organisation became aware; every legal clock runs from here. */
  awareAt: string;
  summary?: string;
  openedBy: string;
  /** For a recurrence of alerts after an incident closed: the incident it follows. */
  previousIncidentId?: string;
  /** A policy profile of the worker's configuration to apply instead of its default policy. */
  policyProfile?: string;
}

/** awaiting-manual: the system's driver is manual, so a person does the step and records it. */
export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'awaiting-manual' | 'manual';

export interface StepStatus {
  state: StepState;
  at?: string;
  detail?: string;
  error?: string;
  attempts: number;
}

export interface SystemRecord {
  name: string;
  addedAt: string;
  addedBy: string;
  isolation: StepStatus;
  evidence: StepStatus;
  release: StepStatus;
  evidenceRecords: EvidenceRecord[];
  /** Bumped by "collect again" so that each collection has its own idempotency key. */
  evidenceRound: number;
  isolationRound: number;
}

export interface CustomerContact {
  name: string;
  email: string;
}

export interface Assessment {
  dataImpact: DataImpact;
  customers: CustomerContact[];
  regulatorRequired: boolean;
  dataCategories: string[];
  approxPeople?: number;
  approxRecords?: number;
  likelyConsequences?: string;
  measures?: string;
  by: string;
  at: string;
}

export interface CustomerNotice {
  status: 'awaiting-approval' | 'sending' | 'sent';
  subject: string;
  text: string;
  approvedBy?: string;
  approvedAt?: string;
  deliveries: { email: string; messageId: string }[];
}

export interface RegulatorFiling {
  phase: 'initial' | 'follow-up';
  reference: string;
  filedAt: string;
  by: string;
  lateReason?: string;
  notes?: string;
}

export interface ThirdPartyContact {
  kind: ContactKind;
  organisation: string;
  person?: string;
  at: string;
  shared: string;
  reference?: string;
  by: string;
}

export interface Conclusions {
  rootCause: string;
  contributingFactors: string[];
  actions: { action: string; owner: string }[];
  conductedBy: 'internal' | 'law-enforcement';
  by: string;
  at: string;
}

export interface RfoRequest {
  id: string;
  customer: string;
  email: string;
  requestedAt: string;
  requestedBy: string;
  sentAt?: string;
  messageId?: string;
}

export interface OpenProblem {
  key: string;
  at: string;
  message: string;
}

export interface IncidentState {
  /**
   * What the senior alert lists: the deadlines each possible assessment would open, computed by the worker
   * with the policy when the incident opens (domain/upcoming-deadlines.ts), so the engine stays out of
   * workflow code. Absent for incidents from before.
   */
  deadlinesOnceAssessed?: string[];
  incidentId: string;
  title: string;
  severity: Severity;
  category: Category;
  detection: string;
  summary?: string;
  previousIncidentId?: string;
  awareAt: string;
  openedAt: string;
  openedBy: string;
  systems: SystemRecord[];
  acknowledgement?: { by: string; at: string };
  /** How many escalation notices went out, the first (level 0) being the CTO alert at opening. */
  escalationsSent: number;
  assessment?: Assessment;
  obligations: Obligation[];
  customerNotice?: CustomerNotice;
  regulatorFilings: RegulatorFiling[];
  regulatorDossier?: { path: string; renderedAt: string };
  contacts: ThirdPartyContact[];
  rcaAssignedTo: 'internal' | 'law-enforcement';
  conclusions?: Conclusions;
  rfoRequests: RfoRequest[];
  /** Set when a responder asks to restore; restoredAt follows once every system is released. */
  restoreRequested?: { by: string; at: string };
  restoredAt?: string;
  restoredBy?: string;
  /** The most recent alerts (at most MAX_RECENT_ALERTS), for display; the audit trail has every one. */
  alerts: {
    source: string;
    dedupKey: string;
    status: 'firing' | 'resolved';
    title: string;
    observedAt: string;
    receivedAt: string;
  }[];
  /** Identity of every alert seen, so a retry is recorded once however many alerts the incident has. */
  alertKeys?: string[];
  alertsReceived?: number;
  closedAt?: string;
  closedBy?: string;
  reports: { kind: string; format: string; path: string; renderedAt: string }[];
  problems: OpenProblem[];
  /** Sequence number of the last audit entry assigned; the next entry gets auditSeq + 1. */
  auditSeq: number;
  /** The last head the audit store reported written (absent before the first append, and in old histories). */
  auditHead?: AuditHead;
  /** Anchor events and facts recorded for the legal clocks (absent in incidents from before them). */
  clocks?: IncidentClocks;
  /** Set in incidents opened since deadlines go out as calendar invites; a continued run keeps it. */
  calendarInvites?: boolean;
}

/** Enough to show what is going on; the state must stay far below Temporal's 2 MB payload limit. */
export const MAX_RECENT_ALERTS = 100;

export function newSystemRecord(name: string, at: string, by: string): SystemRecord {
  return {
    name,
    addedAt: at,
    addedBy: by,
    isolation: { state: 'pending', attempts: 0 },
    evidence: { state: 'pending', attempts: 0 },
    release: { state: 'pending', attempts: 0 },
    evidenceRecords: [],
    evidenceRound: 1,
    isolationRound: 1,
  };
}

export function newIncidentState(req: OpenIncidentRequest, openedAt: string): IncidentState {
  return {
    incidentId: req.incidentId,
    title: req.title,
    severity: req.severity,
    category: req.category,
    detection: req.detection,
    summary: req.summary,
    previousIncidentId: req.previousIncidentId,
    awareAt: req.awareAt,
    openedAt,
    openedBy: req.openedBy,
    systems: req.systems.map((name) => newSystemRecord(name, openedAt, req.openedBy)),
    escalationsSent: 0,
    obligations: [],
    regulatorFilings: [],
    contacts: [],
    rcaAssignedTo: 'internal',
    rfoRequests: [],
    alerts: [],
    reports: [],
    problems: [],
    auditSeq: 0,
  };
}

export function isContained(state: IncidentState): boolean {
  return state.systems.every((s) => isSettled(s.isolation) && isSettled(s.evidence));
}

export function isSettled(step: StepStatus): boolean {
  return step.state === 'done' || step.state === 'manual';
}

export function derivePhase(state: IncidentState): Phase {
  if (state.closedAt) return 'closed';
  if (state.restoredAt) return 'review';
  if (state.assessment) return 'response';
  if (isContained(state)) return 'assessment';
  return 'containment';
}

export function findSystem(state: IncidentState, name: string): SystemRecord | undefined {
  return state.systems.find((s) => s.name === name);
}

/** True when the category is a malicious act that the procedure says law enforcement must hear of. */
export function isMaliciousIntrusion(category: Category): boolean {
  return category === 'intrusion' || category === 'malware' || category === 'insider';
}
