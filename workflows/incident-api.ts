import type {
  defineSearchAttributeKey as DefineSearchAttributeKey,
  QueryDefinition,
  SearchAttributeType,
  SignalDefinition,
  UpdateDefinition,
} from '@temporalio/common';
import type { Sinks } from '@temporalio/workflow';
import type * as A from '../domain/actions';
import type { AccessPolicy, LinkTrust } from '../domain/access';
import type { NormalizedAlert } from '../domain/alerts/alert';
import type { AuditHead } from '../domain/audit-entry';
import type { IncidentState, OpenIncidentRequest, Phase } from '../domain/incident';
import type { Policy, PolicyVersion } from '../domain/policy';

// The incident workflow's public surface: its input, its updates, its query and its search attributes.
// Clients import this module (it has no workflow logic), so both sides agree on names and shapes. The
// definitions are built here as the plain objects @temporalio/workflow's define* return, so that a client
// such as the CLI does not load the workflow package at all.

const defineUpdate = <Ret, Args extends unknown[]>(name: string) =>
  ({ type: 'update', name }) as UpdateDefinition<Ret, Args>;
const defineQuery = <Ret>(name: string) => ({ type: 'query', name }) as QueryDefinition<Ret, []>;
const defineSignal = <Args extends unknown[]>(name: string) => ({ type: 'signal', name }) as SignalDefinition<Args>;
const defineSearchAttributeKey: typeof DefineSearchAttributeKey = <T extends SearchAttributeType>(
  name: string,
  type: T,
) => ({ name, type });

export const WORKFLOW_TYPE = 'incidentWorkflow';

export interface IncidentWorkflowInput {
  request: OpenIncidentRequest;
  /**
   * Set only by continue-as-new, which carries the policy in force. Incidents opened before the worker
   * owned the policy had it from their opener; a new incident ignores any policy given here.
   */
  policy?: Policy;
  /** Which policy it is, carried with it across continue-as-new. */
  policyVersion?: PolicyVersion;
  /** Present after continue-as-new: the state carried over from the previous run. */
  carried?: IncidentState;
  /** After continue-as-new: the access policy in force, kept rather than reloaded. */
  access?: { policy?: AccessPolicy; links?: LinkTrust };
  /** Continue-as-new once a run's history has this many events, even before the server suggests it. */
  maxHistoryEvents?: number;
  /**
   * The alerts that open a new incident, when the ingestion service starts it eagerly (a plain start, whose
   * first workflow task comes back to the co-located worker at once) instead of by signal-with-start. They
   * are taken as that signal would be, as soon as its handler exists.
   */
  alerts?: AlertSignal;
}

export interface IncidentWorkflowResult {
  incidentId: string;
  closedAt?: string;
  auditEntries: number;
  /** The trail's final head as Temporal recorded it (absent in histories from before anchored heads). */
  auditHead?: AuditHead;
}

/** The workflow's signature, for typed handles in clients that must not load the workflow code. */
export type IncidentWorkflow = (input: IncidentWorkflowInput) => Promise<IncidentWorkflowResult>;

/** Fire-and-forget calls from the workflow into its worker process; they are not repeated on replay. */
export interface AccessSinks extends Sinks {
  access: { refused(refusal: AccessRefusal): void };
}

export interface IncidentView {
  state: IncidentState;
  phase: Phase;
  /** Workflow time when the query was answered, so countdowns agree with the workflow's clock. */
  now: string;
  timeZone: string;
  nextDeadline?: string;
  /**
   * The policy in force: reports rendered by a client must use it, not local config. Absent only in the
   * first moments of a new incident, until the worker's policy is loaded.
   */
  policy?: Policy;
  /** Which of the worker's policies it is; absent for incidents whose opener supplied the policy. */
  policyVersion?: PolicyVersion;
}

/**
 * Static facts kept in the memo, so that listing many incidents needs no query per incident. One field,
 * so that a list decrypts one payload per incident (incidents opened before 2026-11 have the three as
 * fields of their own: see LegacyIncidentMemo).
 */
export type IncidentMemo = {
  incident: { title: string; awareAt: string; category: string };
};

export type LegacyIncidentMemo = IncidentMemo['incident'];

export function incidentMemo(request: Pick<OpenIncidentRequest, 'title' | 'awareAt' | 'category'>): IncidentMemo {
  return { incident: { title: request.title, awareAt: request.awareAt, category: request.category } };
}

export interface ActionResult {
  ok: true;
  message: string;
  auditSeq: number;
  details?: Record<string, unknown>;
}

export const stateQuery = defineQuery<IncidentView>('state');

export const acknowledgeUpdate = defineUpdate<ActionResult, [A.AcknowledgeInput]>('acknowledge');
export const addSystemUpdate = defineUpdate<ActionResult, [A.SystemInput]>('addSystem');
export const collectEvidenceUpdate = defineUpdate<ActionResult, [A.SystemInput]>('collectEvidence');
export const retryStepUpdate = defineUpdate<ActionResult, [A.RetryStepInput]>('retryStep');
export const manualStepUpdate = defineUpdate<ActionResult, [A.ManualStepInput]>('manualStep');
export const assessUpdate = defineUpdate<ActionResult, [A.AssessInput]>('assess');
export const approveNoticeUpdate = defineUpdate<ActionResult, [A.ApproveNoticeInput]>('approveCustomerNotice');
export const regulatorFilingUpdate = defineUpdate<ActionResult, [A.RegulatorFilingInput]>('recordRegulatorFiling');
export const contactUpdate = defineUpdate<ActionResult, [A.ContactInput]>('recordContact');
export const assignRcaUpdate = defineUpdate<ActionResult, [A.AssignRcaInput]>('assignRca');
export const conclusionsUpdate = defineUpdate<ActionResult, [A.ConclusionsInput]>('recordConclusions');
export const restoreUpdate = defineUpdate<ActionResult, [A.ActorInput]>('restore');
export const requestRfoUpdate = defineUpdate<ActionResult, [A.RfoRequestInput]>('requestRfo');
export const sendRfoUpdate = defineUpdate<ActionResult, [A.SendRfoInput]>('sendRfo');
export const noteUpdate = defineUpdate<ActionResult, [A.NoteInput]>('addNote');
export const waiveUpdate = defineUpdate<ActionResult, [A.WaiveInput]>('waiveObligation');
export const generateReportsUpdate = defineUpdate<ActionResult, [A.ActorInput]>('generateReports');
export const closeUpdate = defineUpdate<ActionResult, [A.CloseInput]>('close');
export const clockEventUpdate = defineUpdate<ActionResult, [A.ClockEventInput]>('recordClockEvent');
export const clockFactsUpdate = defineUpdate<ActionResult, [A.ClockFactsInput]>('recordClockFacts');
export const submissionUpdate = defineUpdate<ActionResult, [A.SubmissionInput]>('recordSubmission');
export const correctAwarenessUpdate = defineUpdate<ActionResult, [A.CorrectAwarenessInput]>('correctAwareness');

/** Alerts from detection systems attach to an open incident without waiting for a result. */
export interface AlertSignal {
  alerts: NormalizedAlert[];
}
export const alertSignal = defineSignal<[AlertSignal]>('alerts');

/** An action refused before it entered history, reported back by the worker so the audit trail shows it. */
export interface AccessRefusal {
  action: string;
  claimedActor: string;
  reason: string;
  message: string;
  signed: boolean;
  updateId?: string;
}
export const accessRefusedSignal = defineSignal<[AccessRefusal]>('accessRefused');
/** Reload the roster and role mapping from the worker's configuration (after adding a member, say). */
/** A page of the board showed this incident to a signed-in leader: recorded in the trail, never refused. */
export const viewedSignal = defineSignal<[{ viewer: string; page: string }]>('boardViewed');
export const reloadAccessSignal = defineSignal<[{ requestedBy: string }]>('reloadAccess');

export const SA_SEVERITY = defineSearchAttributeKey('IncidentSeverity', 'KEYWORD');
export const SA_PHASE = defineSearchAttributeKey('IncidentPhase', 'KEYWORD');
export const SA_NEXT_DEADLINE = defineSearchAttributeKey('IncidentNextDeadline', 'DATETIME');
export const SA_DATA_IMPACT = defineSearchAttributeKey('IncidentDataImpact', 'KEYWORD');
export const SEARCH_ATTRIBUTES = [SA_SEVERITY, SA_PHASE, SA_NEXT_DEADLINE, SA_DATA_IMPACT];

/** The incidents still open, as `incident list` and the leadership digest find them. */
export const OPEN_INCIDENTS_QUERY = `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;

/** The daily leadership digest (workflows/leadership-digest.ts), started by a schedule (worker/digest-schedule.ts). */
export const DIGEST_WORKFLOW_TYPE = 'leadershipDigest';
export const DIGEST_SCHEDULE_ID = 'leadership-digest';

export interface LeadershipDigestInput {
  /** The zone the digest's times and its date are written in. */
  timeZone: string;
  to: string[];
}

export interface LeadershipDigestResult {
  openObligations: number;
  /** Absent when nothing was open, and so no mail was sent. */
  mail?: { key: string; messageId: string; deduplicated: boolean };
}

/**
 * The task queue of the senior alert and the escalations to leadership, beside the incident's own: a
 * worker serves it with slots of its own, so that an alert storm's containment, evidence, reports and
 * audit batches cannot hold the first mail to the CTO back (README, Performance: Alert storm).
 */
export const seniorAlertTaskQueue = (taskQueue: string) => `${taskQueue}-senior`;
