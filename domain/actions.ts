import { POLICY_PROFILE_PATTERN } from './policy';
import { ActionRefused } from './action-refused';
import { describeTimeLeft } from './deadlines';
import {
  CATEGORIES,
  CONTACT_KINDS,
  DATA_IMPACTS,
  SEVERITIES,
  findSystem,
  INCIDENT_ID_PATTERN,
  SYSTEM_NAME_PATTERN,
  isSettled,
  type Category,
  type ContactKind,
  type CustomerContact,
  type DataImpact,
  type IncidentState,
  type OpenIncidentRequest,
  type Severity,
} from './incident';

// Every responder action, its input, and the rule that refuses it before it enters history. The messages
// are for a person at 3 a.m.: what was wrong and what to do instead.

export { ActionRefused };

const refuse = (message: string): never => {
  throw new ActionRefused(message);
};

export const MAX_TEXT = 10_000;
const MAX_LINE = 500;
const EMAIL = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]+$/;
/** Clocks of hosts disagree a little; an awareness time this far ahead is still accepted as "now". */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface ActorInput {
  actor: string;
}

function text(value: unknown, field: string, { required = true, max = MAX_TEXT } = {}): string | undefined {
  if (value === undefined || value === null || value === '') {
    if (required) refuse(`${field} is required.`);
    return undefined;
  }
  if (typeof value !== 'string') return refuse(`${field} must be text, not ${typeof value}.`);
  if (value.trim() === '') return required ? refuse(`${field} is required.`) : undefined;
  if (value.length > max) refuse(`${field} is too long (${value.length} characters; at most ${max}).`);
  return value.trim();
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    return refuse(`${field} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)?.slice(0, 60) ?? 'nothing'}).`);
  }
  return value as T;
}

function time(value: unknown, field: string, now: Date, { notFuture = true } = {}): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) {
    return refuse(`${field} must be an ISO-8601 time such as 2026-03-01T02:10:00Z (got ${JSON.stringify(value)?.slice(0, 60) ?? 'nothing'}).`);
  }
  const t = new Date(value);
  if (notFuture && t.getTime() > now.getTime() + CLOCK_SKEW_MS) refuse(`${field} ${value} is in the future; give the time it actually happened.`);
  if (t.getUTCFullYear() < 2000) refuse(`${field} ${value} is before the year 2000; check the date.`);
  return t.toISOString();
}

export function checkActor(input: unknown): string {
  if (typeof input !== 'object' || input === null) return refuse('The action needs its input as an object.');
  const actor = text((input as ActorInput).actor, 'actor (who is acting)', { max: 200 });
  return actor!;
}

export function checkSystemName(name: unknown): string {
  if (typeof name !== 'string' || !SYSTEM_NAME_PATTERN.test(name)) {
    return refuse(`System name ${JSON.stringify(name)?.slice(0, 80)} is not valid: use letters, digits and . _ : - (at most 128), as in the systems configuration.`);
  }
  return name;
}

function checkOpen(state: IncidentState): void {
  if (state.closedAt) refuse(`Incident ${state.incidentId} is closed; open a new incident for new activity.`);
}

function knownSystem(state: IncidentState, name: unknown) {
  const system = checkSystemName(name);
  const found = findSystem(state, system);
  if (!found) refuse(`Incident ${state.incidentId} has no system "${system}". Its systems: ${state.systems.map((s) => s.name).join(', ') || 'none'}. Add it with: incident add-system ${state.incidentId} ${system}`);
  return found!;
}

// ---------------------------------------------------------------- open

function checkIncidentId(value: unknown, field: string): string {
  const id = text(value, field, { max: 64 })!;
  if (!INCIDENT_ID_PATTERN.test(id)) refuse(`${field} "${id}" is not valid: letters, digits, . _ - (at most 64).`);
  return id;
}

export function validateOpenRequest(raw: unknown, now: Date): OpenIncidentRequest {
  if (typeof raw !== 'object' || raw === null) return refuse('An incident needs its details as an object.');
  const r = raw as Record<string, unknown>;
  const incidentId = checkIncidentId(r.incidentId, 'incidentId');
  const systems = r.systems === undefined ? [] : r.systems;
  if (!Array.isArray(systems)) refuse('systems must be a list of system names.');
  const names = (systems as unknown[]).map(checkSystemName);
  if (new Set(names).size !== names.length) refuse('systems lists the same system twice.');
  if (names.length > 500) refuse('At most 500 systems per incident; group them or open several incidents.');
  return {
    incidentId,
    title: text(r.title, 'title', { max: MAX_LINE })!,
    severity: oneOf<Severity>(r.severity, SEVERITIES, 'severity'),
    category: oneOf<Category>(r.category, CATEGORIES, 'category'),
    systems: names,
    detection: text(r.detection, 'detection (how the incident was detected)')!,
    awareAt: time(r.awareAt, 'awareAt (when the organisation became aware)', now),
    summary: text(r.summary, 'summary', { required: false }),
    openedBy: text(r.openedBy, 'openedBy', { max: 200 })!,
    ...(r.previousIncidentId === undefined ? {} : { previousIncidentId: checkIncidentId(r.previousIncidentId, 'previousIncidentId') }),
    ...(r.policyProfile === undefined ? {} : { policyProfile: checkPolicyProfile(r.policyProfile) }),
  };
}

function checkPolicyProfile(value: unknown): string {
  if (typeof value !== 'string' || !POLICY_PROFILE_PATTERN.test(value)) {
    refuse('policyProfile must be the name of a policy profile of the worker\'s configuration (lower-case letters, digits and . _ -).');
  }
  return value as string;
}

// ---------------------------------------------------------------- actions

export interface AcknowledgeInput extends ActorInput {
  note?: string;
}
export function validateAcknowledge(state: IncidentState, input: AcknowledgeInput): void {
  checkActor(input);
  checkOpen(state);
  text(input.note, 'note', { required: false });
  if (state.acknowledgement) refuse(`Incident ${state.incidentId} was already acknowledged by ${state.acknowledgement.by} at ${state.acknowledgement.at}.`);
}

export interface SystemInput extends ActorInput {
  system: string;
}
export function validateAddSystem(state: IncidentState, input: SystemInput): void {
  checkActor(input);
  checkOpen(state);
  const name = checkSystemName(input.system);
  if (findSystem(state, name)) refuse(`System "${name}" is already part of incident ${state.incidentId}.`);
  if (state.restoredAt) refuse(`Incident ${state.incidentId} is already restored; open a new incident for a newly affected system.`);
  if (state.systems.length >= 500) refuse('At most 500 systems per incident.');
}

export function validateCollectEvidence(state: IncidentState, input: SystemInput): void {
  checkActor(input);
  checkOpen(state);
  const sys = knownSystem(state, input.system);
  if (sys.evidence.state === 'running') refuse(`Evidence of "${sys.name}" is being collected right now; wait for it to finish.`);
  if (sys.release.state === 'done') refuse(`"${sys.name}" was released to production; a copy now would not show the incident state.`);
}

export const STEPS = ['isolation', 'evidence', 'release'] as const;
export type Step = (typeof STEPS)[number];

export interface RetryStepInput extends SystemInput {
  step: Step;
}
export function validateRetryStep(state: IncidentState, input: RetryStepInput): void {
  checkActor(input);
  checkOpen(state);
  const sys = knownSystem(state, input.system);
  const step = oneOf<Step>(input.step, STEPS, 'step');
  const status = sys[step];
  if (status.state !== 'failed' && status.state !== 'awaiting-manual') {
    refuse(`The ${step} of "${sys.name}" is ${status.state}, not failed; there is nothing to retry.`);
  }
}

export interface ManualStepInput extends SystemInput {
  step: Step;
  detail: string;
}
export function validateManualStep(state: IncidentState, input: ManualStepInput): void {
  checkActor(input);
  checkOpen(state);
  const sys = knownSystem(state, input.system);
  const step = oneOf<Step>(input.step, STEPS, 'step');
  text(input.detail, 'detail (what was done by hand, and where any copy is kept)');
  if (isSettled(sys[step])) refuse(`The ${step} of "${sys.name}" is already ${sys[step].state}.`);
  if (sys[step].state === 'running') refuse(`The ${step} of "${sys.name}" is running now; wait for it to finish or fail.`);
}

export interface AssessInput extends ActorInput {
  dataImpact: DataImpact;
  customers: CustomerContact[];
  regulatorRequired?: boolean;
  dataCategories?: string[];
  approxPeople?: number;
  approxRecords?: number;
  likelyConsequences?: string;
  measures?: string;
}
export function validateAssess(state: IncidentState, input: AssessInput): void {
  checkActor(input);
  checkOpen(state);
  const impact = oneOf<DataImpact>(input.dataImpact, DATA_IMPACTS, 'dataImpact');
  if (!Array.isArray(input.customers)) refuse('customers must be a list of {name, email}.');
  if (input.customers.length > 10_000) refuse('At most 10,000 customer contacts per assessment.');
  input.customers.forEach((c, i) => {
    if (typeof c !== 'object' || c === null) refuse(`customers[${i}] must be {name, email}.`);
    text(c.name, `customers[${i}].name`, { max: 200 });
    if (typeof c.email !== 'string' || !EMAIL.test(c.email) || c.email.length > 254) refuse(`customers[${i}].email ${JSON.stringify(c.email)?.slice(0, 80)} is not an email address.`);
  });
  if (impact !== 'none' && input.customers.length === 0) refuse(`A ${impact} data breach needs the affected customers and their contacts, so that they can be notified.`);
  if (input.regulatorRequired !== undefined && typeof input.regulatorRequired !== 'boolean') refuse('regulatorRequired must be true or false.');
  if (input.regulatorRequired === false && (impact === 'personal' || impact === 'both') && !input.likelyConsequences) {
    refuse('Not notifying the regulator of a personal-data breach needs the assessment that it is unlikely to result in a risk to people (likelyConsequences).');
  }
  for (const field of ['approxPeople', 'approxRecords'] as const) {
    const v = input[field];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) refuse(`${field} must be a whole number of at least 0.`);
  }
  if (input.dataCategories !== undefined && (!Array.isArray(input.dataCategories) || input.dataCategories.some((c) => typeof c !== 'string' || c.length > MAX_LINE))) {
    refuse('dataCategories must be a list of short texts such as "email addresses".');
  }
  text(input.likelyConsequences, 'likelyConsequences', { required: false });
  text(input.measures, 'measures', { required: false });
  if (state.customerNotice && state.customerNotice.status !== 'awaiting-approval') refuse('The customer notice has already been sent; record a follow-up as a note or a contact instead.');
}

export interface ApproveNoticeInput extends ActorInput {
  subject?: string;
  text?: string;
}
export function validateApproveNotice(state: IncidentState, input: ApproveNoticeInput): void {
  checkActor(input);
  checkOpen(state);
  text(input.subject, 'subject', { required: false, max: MAX_LINE });
  text(input.text, 'text', { required: false });
  if (!state.customerNotice) refuse('There is no customer notice to approve: record the breach assessment with its affected customers first (incident assess).');
  if (state.customerNotice!.status !== 'awaiting-approval') refuse(`The customer notice is already ${state.customerNotice!.status}.`);
}

export interface RegulatorFilingInput extends ActorInput {
  reference: string;
  filedAt?: string;
  lateReason?: string;
  phase?: 'initial' | 'follow-up';
  notes?: string;
}
export function validateRegulatorFiling(state: IncidentState, input: RegulatorFilingInput, now: Date): void {
  checkActor(input);
  checkOpen(state);
  text(input.reference, 'reference (the filing number the regulator gave)', { max: 200 });
  const phase = input.phase === undefined ? 'initial' : oneOf(input.phase, ['initial', 'follow-up'] as const, 'phase');
  const filedAt = input.filedAt === undefined ? now : new Date(time(input.filedAt, 'filedAt', now));
  text(input.notes, 'notes', { required: false });
  const ob = state.obligations.find((o) => o.kind === 'notify-regulator');
  const initial = state.regulatorFilings.find((f) => f.phase === 'initial');
  if (phase === 'follow-up') {
    if (!initial) refuse('A follow-up filing (Art. 33(4)) needs the initial filing first.');
    return;
  }
  if (initial) refuse(`The initial filing is already recorded (${initial.reference}); record more information as --phase follow-up.`);
  if (ob && filedAt.getTime() < new Date(state.awareAt).getTime()) refuse('filedAt is before the incident was known; check the time.');
  if (ob && filedAt.getTime() > new Date(ob.dueAt).getTime() && !text(input.lateReason, 'lateReason', { required: false })) {
    refuse(`This notification is late (${describeTimeLeft(ob.dueAt, filedAt)}): GDPR Art. 33(1) requires the reasons for the delay. Record them with --late-reason.`);
  }
}

export interface ContactInput extends ActorInput {
  kind: ContactKind;
  organisation: string;
  person?: string;
  at?: string;
  shared: string;
  reference?: string;
}
export function validateContact(state: IncidentState, input: ContactInput, now: Date): void {
  checkActor(input);
  checkOpen(state);
  oneOf<ContactKind>(input.kind, CONTACT_KINDS, 'kind');
  text(input.organisation, 'organisation', { max: MAX_LINE });
  text(input.person, 'person', { required: false, max: MAX_LINE });
  text(input.shared, 'shared (what was shared with them)');
  text(input.reference, 'reference', { required: false, max: MAX_LINE });
  if (input.at !== undefined) {
    const at = time(input.at, 'at', now);
    if (new Date(at).getTime() < new Date(state.awareAt).getTime() - 30 * 86_400_000) refuse('at is more than 30 days before the incident; check the date.');
  }
}

export interface AssignRcaInput extends ActorInput {
  to: 'internal' | 'law-enforcement';
}
export function validateAssignRca(state: IncidentState, input: AssignRcaInput): void {
  checkActor(input);
  checkOpen(state);
  oneOf(input.to, ['internal', 'law-enforcement'] as const, 'to');
  if (state.conclusions) refuse('The root-cause conclusions are already recorded.');
}

export interface ConclusionsInput extends ActorInput {
  rootCause: string;
  contributingFactors?: string[];
  actions?: { action: string; owner: string }[];
  conductedBy?: 'internal' | 'law-enforcement';
}
export function validateConclusions(state: IncidentState, input: ConclusionsInput): void {
  checkActor(input);
  checkOpen(state);
  text(input.rootCause, 'rootCause');
  if (input.conductedBy !== undefined) oneOf(input.conductedBy, ['internal', 'law-enforcement'] as const, 'conductedBy');
  if (input.contributingFactors !== undefined && (!Array.isArray(input.contributingFactors) || input.contributingFactors.some((f) => typeof f !== 'string' || f.length > MAX_TEXT))) {
    refuse('contributingFactors must be a list of texts.');
  }
  if (input.actions !== undefined) {
    if (!Array.isArray(input.actions)) refuse('actions must be a list of {action, owner}.');
    input.actions.forEach((a, i) => {
      if (typeof a !== 'object' || a === null) refuse(`actions[${i}] must be {action, owner}.`);
      text(a.action, `actions[${i}].action`);
      text(a.owner, `actions[${i}].owner`, { max: 200 });
    });
  }
}

export function validateRestore(state: IncidentState, input: ActorInput): void {
  checkActor(input);
  checkOpen(state);
  if (state.restoredAt) refuse(`Incident ${state.incidentId} was already restored at ${state.restoredAt}.`);
  if (state.restoreRequested) refuse(`Restoration was already requested by ${state.restoreRequested.by}; retry a failed release with incident retry, or record it with incident manual-step.`);
  const noEvidence = state.systems.filter((s) => !isSettled(s.evidence));
  if (noEvidence.length) {
    refuse(
      `Forensic evidence of ${noEvidence.map((s) => `"${s.name}" (${s.evidence.state})`).join(', ')} is not preserved yet; releasing now would destroy it. ` +
        'Wait for the copy, retry it (incident retry), or record a manual copy (incident manual-step).',
    );
  }
}

export interface RfoRequestInput extends ActorInput {
  customer: string;
  email: string;
}
export function validateRequestRfo(state: IncidentState, input: RfoRequestInput): void {
  checkActor(input);
  checkOpen(state);
  text(input.customer, 'customer', { max: 200 });
  if (typeof input.email !== 'string' || !EMAIL.test(input.email)) refuse(`email ${JSON.stringify(input.email)?.slice(0, 80)} is not an email address.`);
  if (state.rfoRequests.length >= 1000) refuse('At most 1,000 RFO requests per incident.');
}

export interface SendRfoInput extends ActorInput {
  requestId: string;
}
export function validateSendRfo(state: IncidentState, input: SendRfoInput): void {
  checkActor(input);
  checkOpen(state);
  const req = state.rfoRequests.find((r) => r.id === input.requestId);
  if (!req) refuse(`There is no RFO request "${String(input.requestId).slice(0, 40)}". Requests: ${state.rfoRequests.map((r) => r.id).join(', ') || 'none'}.`);
  if (req!.sentAt) refuse(`The RFO for request ${req!.id} was already sent at ${req!.sentAt}.`);
  if (!state.conclusions) refuse('The RFO states the cause: record the root-cause conclusions first (incident conclude).');
}

export interface NoteInput extends ActorInput {
  text: string;
}
export function validateNote(state: IncidentState, input: NoteInput): void {
  checkActor(input);
  checkOpen(state);
  text(input.text, 'text');
}

export interface WaiveInput extends ActorInput {
  obligationId: string;
  reason: string;
}
export function validateWaive(state: IncidentState, input: WaiveInput): void {
  checkActor(input);
  checkOpen(state);
  text(input.reason, 'reason (why the obligation does not apply)');
  const ob = state.obligations.find((o) => o.id === input.obligationId);
  if (!ob) refuse(`There is no obligation "${String(input.obligationId).slice(0, 60)}". Obligations: ${state.obligations.map((o) => o.id).join(', ') || 'none'}.`);
  if (ob!.status !== 'pending') refuse(`Obligation ${ob!.id} is already ${ob!.status}.`);
}

export function validateGenerateReports(state: IncidentState, input: ActorInput): void {
  checkActor(input);
  void state;
}

export interface CloseInput extends ActorInput {
  summary?: string;
}
export function validateClose(state: IncidentState, input: CloseInput): void {
  checkActor(input);
  checkOpen(state);
  text(input.summary, 'summary', { required: false });
  const open = state.obligations.filter((o) => o.status === 'pending');
  if (open.length) {
    refuse(`Incident ${state.incidentId} still has open obligations: ${open.map((o) => `${o.id} (due ${o.dueAt})`).join(', ')}. Meet them, or waive each with a reason (incident waive).`);
  }
  const busy = (st: string) => st === 'running' || st === 'pending';
  const running = state.systems.filter((s) => busy(s.isolation.state) || busy(s.evidence.state) || (state.restoreRequested && s.release.state === 'running'));
  if (running.length) refuse(`Steps are still under way on ${running.map((s) => s.name).join(', ')}; wait for them to finish, or record them as manual steps.`);
}
