import {
  ApplicationFailure,
  currentUpdateInfo,
  patched,
  proxySinks,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
  allHandlersFinished,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { IncidentActivities, StepOutcome } from '../activities';
import * as A from '../domain/actions';
import { AccessRefused, authorize, type AccessPolicy, type SignedInput } from '../domain/access';
import { CLOSING_ACTION, type AuditRecord } from '../domain/audit-entry';
import { dueNotices, isLate, nextEscalationAt, nextNoticeAt } from '../domain/deadlines';
import { alertKey } from '../domain/alerts/alert-key';
import { derivePhase, isSettled, MAX_RECENT_ALERTS, newIncidentState, newSystemRecord, type IncidentState, type Obligation, type SystemRecord } from '../domain/incident';
import { customerNoticeMail, deadlineNotice, draftCustomerNotice, rfoMail, seniorAlert, type MailMessage } from '../domain/notices';
import { earliestOpenDeadline, lawEnforcementObligation, markMet, obligationsForAssessment, rfoObligation } from '../domain/obligations';
import { escalationRecipients, recipientsOf } from '../domain/policy';
import { renderMarkdown } from '../domain/report-document';
import { rfoReport, type ReportKind } from '../domain/reports';
import * as api from './incident-api';
import type { UpdateDefinition } from '@temporalio/common';
import type { Sinks } from '@temporalio/workflow';

/** Fire-and-forget calls into the worker process; they are not repeated when history is replayed. */
export interface AccessSinks extends Sinks {
  access: { refused(refusal: api.AccessRefusal): void };
}

// One workflow per incident; its id is the incident id. It decides and remembers: every side effect is an
// activity, every step is appended to the audit trail in order, every deadline is a timer.

const retryForever = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' };

// Timeouts and retries, in one place (README "Guarantees" explains them):
const auditActs = proxyActivities<IncidentActivities>({ startToCloseTimeout: '30s', retry: retryForever } satisfies ActivityOptions);
const mailActs = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes: ['MailRejected'] },
});
const driverActs = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '15m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 3 },
});
const evidenceActs = proxyActivities<IncidentActivities>({
  startToCloseTimeout: '24h',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '2m', maximumAttempts: 5 },
});
const reportActs = proxyActivities<IncidentActivities>({ startToCloseTimeout: '5m', retry: { maximumAttempts: 5 } });

const SYSTEM_ACTOR = 'system';
/** After SMTP has failed this often in a row, the workflow waits at most this long between tries. */
const MAIL_BACKOFF_MAX_MS = 30 * 60_000;

export async function incidentWorkflow(input: api.IncidentWorkflowInput): Promise<{ incidentId: string; closedAt?: string; auditEntries: number }> {
  const { policy } = input;
  const s: IncidentState = input.carried ?? newIncidentState(input.request, new Date().toISOString());
  const id = s.incidentId;

  // ---------------------------------------------------------------- audit trail
  // Entries get their seq here, synchronously, so the order is workflow order whatever runs concurrently;
  // one writer drains them in batches, and a step reports success only once its entry is on disk.
  const unwritten: AuditRecord[] = [];
  let writtenSeq = s.auditSeq;
  /** The signed request of the action being handled; it goes into that action's first audit entry. */
  let pendingSignedRequest: { actor: string; proof: Record<string, unknown> } | undefined;
  const audit = (actor: string, action: string, details: Record<string, unknown> = {}): number => {
    const seq = ++s.auditSeq;
    if (pendingSignedRequest && pendingSignedRequest.actor === actor) {
      details = { ...details, signedRequest: pendingSignedRequest.proof };
      pendingSignedRequest = undefined;
    }
    unwritten.push({ incidentId: id, seq, at: new Date().toISOString(), actor, action, details });
    return seq;
  };
  const recorded = (seq: number) => condition(() => writtenSeq >= seq);
  void (async () => {
    for (;;) {
      await condition(() => unwritten.length > 0);
      const batch = unwritten.slice(0, 200);
      await auditActs.appendAudit(id, batch);
      unwritten.splice(0, batch.length);
      writtenSeq = batch[batch.length - 1].seq;
    }
  })();

  // Every change bumps the version, which wakes the deadline clock to recompute its next timer.
  let version = 0;
  const changed = () => {
    version++;
  };
  const now = () => new Date();
  const nowIso = () => new Date().toISOString();

  // The opening is the first entry of the chain, before any handler exists: an update or signal that
  // arrives with the start is delivered as soon as its handler is registered, and must come after it.
  // Incidents started before this change replay the old order (the opening entry after the handlers).
  const openingFirst = patched('opening-entry-first');
  const announceOpening = () =>
    audit(s.openedBy, 'incident.opened', {
      title: s.title,
      severity: s.severity,
      category: s.category,
      systems: s.systems.map((x) => x.name),
      detection: s.detection,
      awareAt: s.awareAt,
      summary: s.summary,
      previousIncidentId: s.previousIncidentId,
    });
  if (input.carried) audit(SYSTEM_ACTOR, 'workflow.continued', { auditSeq: s.auditSeq });
  else if (openingFirst) announceOpening();

  // ---------------------------------------------------------------- access control
  // The roster comes from the worker's configuration, never from whoever started the incident. Incidents
  // started before access control existed replay without loading it (and enforce nothing, as they did).
  const accessSink = proxySinks<AccessSinks>().access;
  let accessPolicy: AccessPolicy | undefined;
  let accessLoaded = !patched('access-control');
  const refusalDetails = (action: string, raw: unknown, err: AccessRefused): api.AccessRefusal => {
    const input = (typeof raw === 'object' && raw !== null ? raw : {}) as { actor?: unknown; signature?: unknown };
    return {
      action,
      claimedActor: String(input.actor ?? '').slice(0, 200),
      reason: err.reason,
      message: err.message,
      signed: typeof input.signature === 'object' && input.signature !== null,
      updateId: currentUpdateInfo()?.id,
    };
  };
  /** Loads in flight; continue-as-new waits for them, so a reload is never lost across the boundary. */
  let accessLoads = 0;
  async function loadAccess(requestedBy?: string): Promise<void> {
    let loaded: AccessPolicy | undefined;
    accessLoads++;
    try {
      loaded = await auditActs.loadAccessPolicy(requestedBy !== undefined);
    } catch (err) {
      // Only a reload can fail for good (a broken file): the policy in force stays, and people are told.
      audit(requestedBy ?? SYSTEM_ACTOR, 'access.reload-failed', { error: (err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message });
      changed();
      return;
    } finally {
      accessLoads--;
    }
    const before = accessPolicy?.fingerprint;
    accessPolicy = loaded;
    accessLoaded = true;
    if (loaded && (loaded.fingerprint !== before || requestedBy)) {
      audit(requestedBy ?? SYSTEM_ACTOR, 'access.policy-loaded', { fingerprint: loaded.fingerprint, members: loaded.roster, actionRoles: loaded.actionRoles });
    } else if (!loaded && before) {
      audit(requestedBy ?? SYSTEM_ACTOR, 'access.policy-removed', { previousFingerprint: before });
    }
  }
  if (!accessLoaded && input.access) {
    accessPolicy = input.access.policy;
    accessLoaded = true;
  }
  if (!accessLoaded) void loadAccess();
  setHandler(api.accessRefusedSignal, (refusal) => {
    audit(SYSTEM_ACTOR, 'access.refused', { ...refusal, recordedBy: 'worker' });
  });
  setHandler(api.reloadAccessSignal, ({ requestedBy }) => {
    if (accessLoaded) void loadAccess(String(requestedBy ?? 'unknown').slice(0, 200));
  });

  const addProblem = (key: string, message: string) => {
    s.problems = s.problems.filter((p) => p.key !== key);
    s.problems.push({ key, at: nowIso(), message });
  };
  const clearProblem = (key: string) => {
    s.problems = s.problems.filter((p) => p.key !== key);
  };

  // ---------------------------------------------------------------- mail
  let mailsInFlight = 0;
  const mailScope = new CancellationScope();

  /** Delivers one message, retrying with backoff for as long as needed; the failure is made visible. */
  async function deliverNow(message: MailMessage): Promise<string | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await mailActs.sendMail(message);
        if (attempt > 1) {
          clearProblem(`mail:${message.key}`);
          changed();
        }
        audit(SYSTEM_ACTOR, 'mail.sent', { key: message.key, to: message.to, subject: message.subject, messageId: result.messageId, via: result.via, possibleDuplicate: result.possibleDuplicate || undefined });
        return result.messageId;
      } catch (err) {
        if (isCancellation(err)) {
          audit(SYSTEM_ACTOR, 'mail.abandoned', { key: message.key, to: message.to, reason: 'incident closed before the mail could be delivered' });
          return undefined;
        }
        const failure = err as { cause?: { type?: string; message?: string }; message?: string };
        const reason = failure.cause?.message ?? failure.message ?? String(err);
        if (failure.cause?.type === 'MailRejected') {
          addProblem(`mail:${message.key}`, `Mail to ${message.to.join(', ')} was refused: ${reason}`);
          audit(SYSTEM_ACTOR, 'mail.rejected', { key: message.key, to: message.to, error: reason });
          changed();
          return undefined;
        }
        if (attempt === 1) {
          addProblem(`mail:${message.key}`, `Mail to ${message.to.join(', ')} is failing and being retried: ${reason}`);
          audit(SYSTEM_ACTOR, 'mail.delivery-failing', { key: message.key, to: message.to, error: reason });
          changed();
        }
        await sleep(Math.min(30_000 * 2 ** (attempt - 1), MAIL_BACKOFF_MAX_MS));
      }
    }
  }

  function deliver(message: MailMessage): Promise<string | undefined> {
    mailsInFlight++;
    return mailScope.run(() => deliverNow(message)).finally(() => {
      mailsInFlight--;
    });
  }

  // ---------------------------------------------------------------- systems
  const activePipelines = new Set<string>();
  type StepName = 'isolation' | 'evidence' | 'release';

  async function runStep(sys: SystemRecord, step: StepName, actor: string, act: () => Promise<StepOutcome>): Promise<void> {
    const label = { isolation: 'containment.isolation', evidence: 'evidence.collection', release: 'recovery.release' }[step];
    sys[step] = { state: 'running', attempts: sys[step].attempts + 1, at: nowIso() };
    audit(actor, `${label}-started`, { system: sys.name });
    changed();
    try {
      const outcome = await act();
      if (outcome.kind === 'manual') {
        sys[step] = { ...sys[step], state: 'awaiting-manual', detail: outcome.instruction };
        addProblem(`${step}:${sys.name}`, outcome.instruction);
        audit(SYSTEM_ACTOR, `${label}-awaiting-manual`, { system: sys.name, instruction: outcome.instruction });
      } else {
        sys[step] = { ...sys[step], state: 'done', at: nowIso(), detail: outcome.detail };
        clearProblem(`${step}:${sys.name}`);
      }
    } catch (err) {
      const failure = err as { cause?: { message?: string }; message?: string };
      const error = failure.cause?.message ?? failure.message ?? String(err);
      sys[step] = { ...sys[step], state: 'failed', at: nowIso(), error };
      const hint = `Retry with: incident retry ${id} ${sys.name} --step ${step}; or do it by hand and record it: incident manual-step ${id} ${sys.name} --step ${step} --detail "…"`;
      addProblem(`${step}:${sys.name}`, `The ${step} of ${sys.name} failed: ${error.replace(/[.\s]+$/, '')}. ${hint}`);
      audit(SYSTEM_ACTOR, `${label}-failed`, { system: sys.name, error });
    }
    changed();
  }

  const isolate = (sys: SystemRecord, actor: string) =>
    runStep(sys, 'isolation', actor, async () => {
      const out = await driverActs.isolateSystem({ incidentId: id, system: sys.name, round: sys.isolationRound });
      if (out.kind === 'done') audit(SYSTEM_ACTOR, 'containment.isolated', { system: sys.name, detail: out.detail });
      return out;
    });

  const collect = (sys: SystemRecord, actor: string) =>
    runStep(sys, 'evidence', actor, async () => {
      const out = await evidenceActs.collectEvidence({ incidentId: id, system: sys.name, round: sys.evidenceRound, collector: actor });
      if (out.kind === 'manual') return out;
      sys.evidenceRecords.push(out.record);
      audit(SYSTEM_ACTOR, 'evidence.collected', {
        system: sys.name,
        source: out.record.source,
        location: out.record.location,
        sha256: out.record.sha256,
        sizeBytes: out.record.sizeBytes,
        collectedBy: out.record.collectedBy,
        custody: out.record.custody,
      });
      return { kind: 'done', detail: `sha256 ${out.record.sha256}` };
    });

  const release = (sys: SystemRecord, actor: string) =>
    runStep(sys, 'release', actor, async () => {
      const out = await driverActs.releaseSystem({ incidentId: id, system: sys.name, round: sys.isolationRound });
      if (out.kind === 'done') audit(SYSTEM_ACTOR, 'recovery.released', { system: sys.name, detail: out.detail });
      return out;
    });

  const needsRun = (state: string) => state === 'pending' || state === 'running';

  /** Isolation, then evidence, for one system; resumes where it stood after continue-as-new. */
  function startPipeline(sys: SystemRecord, actor: string): void {
    if (activePipelines.has(sys.name) || s.closedAt) return;
    activePipelines.add(sys.name);
    void (async () => {
      if (needsRun(sys.isolation.state)) await isolate(sys, actor);
      if (needsRun(sys.evidence.state)) await collect(sys, actor);
      if (s.restoreRequested && needsRun(sys.release.state)) await release(sys, actor);
      checkRestored();
    })().finally(() => {
      activePipelines.delete(sys.name);
      changed();
    });
  }

  function checkRestored(): void {
    if (!s.restoreRequested || s.restoredAt) return;
    if (s.systems.every((x) => isSettled(x.release))) {
      s.restoredAt = nowIso();
      s.restoredBy = s.restoreRequested.by;
      audit(SYSTEM_ACTOR, 'recovery.restored', { systems: s.systems.map((x) => x.name) });
      changed();
    }
  }

  // ---------------------------------------------------------------- obligations and notices
  const leadership = () => recipientsOf(policy, policy.deadlineRecipients);

  function addObligation(ob: Obligation): void {
    const existing = s.obligations.find((o) => o.id === ob.id);
    if (!existing) {
      s.obligations.push(ob);
      audit(SYSTEM_ACTOR, 'obligation.opened', { obligation: ob.id, title: ob.title, dueAt: ob.dueAt, owedTo: ob.owedTo });
    } else if (existing.status === 'pending' && existing.dueAt !== ob.dueAt) {
      audit(SYSTEM_ACTOR, 'obligation.rescheduled', { obligation: ob.id, from: existing.dueAt, dueAt: ob.dueAt });
      existing.dueAt = ob.dueAt;
      existing.title = ob.title;
    }
    changed();
  }

  function meet(ob: Obligation, actor: string, proof: string[], lateReason?: string): void {
    const at = nowIso();
    markMet(ob, at, actor, proof, lateReason);
    audit(actor, 'obligation.met', { obligation: ob.id, late: isLate(ob, new Date(at)), proof, reason: lateReason });
    changed();
  }

  /** The deadline clock: escalation until acknowledged, reminders before each deadline, overdue notices after. */
  async function clock(): Promise<void> {
    while (!s.closedAt) {
      const t = now();
      // Senior personnel are told at opening whatever happens; later levels only while nobody acknowledged.
      if (((openingFirst && s.escalationsSent === 0) || !s.acknowledgement) && nextEscalationAt(s.openedAt, s.escalationsSent, policy) <= t) {
        const level = s.escalationsSent++;
        const to = escalationRecipients(policy, level);
        audit(SYSTEM_ACTOR, level === 0 ? 'notify.senior-alerted' : 'notify.escalated', { level, to });
        void deliver(seniorAlert(s, policy, level, to));
        continue;
      }
      for (const ob of s.obligations) {
        const { send, skip } = dueNotices(ob, policy, t);
        ob.noticesSent.push(...skip);
        if (send) {
          ob.noticesSent.push(send.key);
          audit(SYSTEM_ACTOR, send.kind === 'overdue' ? 'deadline.overdue' : 'deadline.reminder', { obligation: ob.id, dueAt: ob.dueAt, notice: send.key, to: leadership() });
          void deliver(deadlineNotice(s, ob, send, policy, leadership(), t));
        }
      }
      publishSearchAttributes();
      const wakes = [
        ...(s.acknowledgement ? [] : [nextEscalationAt(s.openedAt, s.escalationsSent, policy).getTime()]),
        ...s.obligations.map((ob) => nextNoticeAt(ob, policy, t)?.getTime()).filter((x): x is number => x !== undefined),
      ];
      const seen = version;
      const wake = wakes.length ? Math.min(...wakes) : undefined;
      if (wake === undefined) await condition(() => version !== seen || !!s.closedAt);
      else await condition(() => version !== seen || !!s.closedAt, Math.max(1, wake - t.getTime()));
    }
  }

  let published = '';
  function publishSearchAttributes(): void {
    const next = earliestOpenDeadline(s.obligations);
    const values = { phase: derivePhase(s), next, impact: s.assessment?.dataImpact ?? 'unassessed' };
    const key = JSON.stringify(values);
    if (key === published) return;
    published = key;
    upsertSearchAttributes([
      { key: api.SA_SEVERITY, value: s.severity },
      { key: api.SA_PHASE, value: values.phase },
      { key: api.SA_DATA_IMPACT, value: values.impact },
      { key: api.SA_NEXT_DEADLINE, value: next ? new Date(next) : null },
    ]);
  }

  // ---------------------------------------------------------------- reports
  async function renderReports(kinds: ReportKind[]) {
    const renderedAt = nowIso();
    const files = await reportActs.renderReports({ state: s, policy, kinds, renderedAt });
    for (const f of files) {
      s.reports = s.reports.filter((r) => r.path !== f.path);
      s.reports.push({ kind: f.kind, format: f.format, path: f.path, renderedAt });
    }
    return files;
  }

  async function renderDossier(): Promise<void> {
    const files = await renderReports(['regulator']);
    const md = files.find((f) => f.format === 'md');
    if (md) s.regulatorDossier = { path: md.path, renderedAt: nowIso() };
    audit(SYSTEM_ACTOR, 'regulator.dossier-rendered', { files: files.map((f) => f.path) });
    changed();
  }

  // ---------------------------------------------------------------- handlers
  const done = async (seq: number, message: string, details?: Record<string, unknown>): Promise<api.ActionResult> => {
    changed();
    await recorded(seq);
    return { ok: true, message, auditSeq: seq, details };
  };
  /** Validators run in the workflow's own clock so "in the future" and "late" agree with the timers. */
  const validator = <T>(check: (state: IncidentState, input: T, now: Date) => void) => (input: T) => check(s, input, now());

  /**
   * A responder action: its signature and role are checked before it enters history (the refusal is then
   * recorded through the worker, see access.refused below). In the first moments of a run, before the
   * access policy is loaded, the check waits in the handler instead and a refusal is recorded directly.
   */
  function onAction<I extends A.ActorInput>(
    def: UpdateDefinition<api.ActionResult, [I]>,
    handler: (input: I) => Promise<api.ActionResult>,
    { validator: check }: { validator: (input: I) => void },
  ): void {
    setHandler(
      def,
      async (input: I) => {
        // Only await when needed: an await even on a true condition would move this handler's commands.
        if (!accessLoaded) await condition(() => accessLoaded);
        let roles: string[] | undefined;
        try {
          roles = authorize(accessPolicy, id, def.name, input, now(), currentUpdateInfo()?.id);
        } catch (err) {
          if (!(err instanceof AccessRefused)) throw err;
          await recorded(audit(SYSTEM_ACTOR, 'access.refused', { ...refusalDetails(def.name, input, err), recordedBy: 'workflow' }));
          throw ApplicationFailure.create({ message: err.message, type: 'AccessRefused', nonRetryable: true });
        }
        if (!roles) return handler(input);
        // Non-repudiation: the request exactly as signed, so anyone with the roster can check it later.
        const { signature, ...signed } = input as I & SignedInput;
        pendingSignedRequest = { actor: input.actor, proof: { action: def.name, roles, policy: accessPolicy!.fingerprint, signature, input: signed } };
        const result = handler(input);
        // A handler that records only after waiting (rendering, sending) gets its proof in an entry of its own.
        if (pendingSignedRequest) audit(input.actor, 'action.signed', { signedRequest: pendingSignedRequest.proof });
        pendingSignedRequest = undefined;
        return result;
      },
      {
        validator: (input: I) => {
          if (accessLoaded) {
            try {
              authorize(accessPolicy, id, def.name, input, now(), currentUpdateInfo()?.id);
            } catch (err) {
              if (err instanceof AccessRefused) accessSink.refused(refusalDetails(def.name, input, err));
              throw err;
            }
          }
          check(input);
        },
      },
    );
  }

  setHandler(api.stateQuery, () => ({
    state: s,
    phase: derivePhase(s),
    now: nowIso(),
    timeZone: policy.timeZone,
    nextDeadline: earliestOpenDeadline(s.obligations),
    policy,
  }));

  onAction(
    api.acknowledgeUpdate,
    async ({ actor, note }) => {
      s.acknowledgement = { by: actor, at: nowIso() };
      return done(audit(actor, 'incident.acknowledged', { note, escalationsSent: s.escalationsSent }), `Acknowledged by ${actor}; escalation stopped.`);
    },
    { validator: validator(A.validateAcknowledge) },
  );

  onAction(
    api.addSystemUpdate,
    async ({ actor, system }) => {
      const sys = newSystemRecord(system, nowIso(), actor);
      s.systems.push(sys);
      const seq = audit(actor, 'containment.system-added', { system });
      startPipeline(sys, actor);
      return done(seq, `System ${system} added; isolation and evidence collection started.`);
    },
    { validator: validator(A.validateAddSystem) },
  );

  onAction(
    api.collectEvidenceUpdate,
    async ({ actor, system }) => {
      const sys = s.systems.find((x) => x.name === system)!;
      sys.evidenceRound++;
      sys.evidence = { state: 'pending', attempts: 0 };
      const seq = audit(actor, 'evidence.collection-requested', { system, round: sys.evidenceRound });
      startPipeline(sys, actor);
      return done(seq, `A new copy of ${system} is being taken (round ${sys.evidenceRound}).`);
    },
    { validator: validator(A.validateCollectEvidence) },
  );

  onAction(
    api.retryStepUpdate,
    async ({ actor, system, step }) => {
      const sys = s.systems.find((x) => x.name === system)!;
      if (step === 'evidence') sys.evidenceRound++;
      else sys.isolationRound++;
      sys[step] = { state: 'pending', attempts: sys[step].attempts };
      const seq = audit(actor, 'step.retry-requested', { system, step });
      if (step === 'release' && !activePipelines.has(sys.name)) {
        activePipelines.add(sys.name);
        void release(sys, actor).then(checkRestored).finally(() => activePipelines.delete(sys.name));
      } else startPipeline(sys, actor);
      return done(seq, `Retrying the ${step} of ${system}.`);
    },
    { validator: validator(A.validateRetryStep) },
  );

  onAction(
    api.manualStepUpdate,
    async ({ actor, system, step, detail }) => {
      const sys = s.systems.find((x) => x.name === system)!;
      sys[step] = { state: 'manual', at: nowIso(), detail, attempts: sys[step].attempts };
      clearProblem(`${step}:${system}`);
      const seq = audit(actor, 'step.recorded-manually', { system, step, detail });
      if (step === 'release') checkRestored();
      else startPipeline(sys, actor);
      return done(seq, `The ${step} of ${system} is recorded as done by hand.`);
    },
    { validator: validator(A.validateManualStep) },
  );

  onAction(
    api.assessUpdate,
    async (input) => {
      const assessment = {
        dataImpact: input.dataImpact,
        customers: input.customers.map((c) => ({ name: c.name.trim(), email: c.email.trim() })),
        regulatorRequired: input.regulatorRequired ?? (input.dataImpact === 'personal' || input.dataImpact === 'both'),
        dataCategories: input.dataCategories ?? [],
        approxPeople: input.approxPeople,
        approxRecords: input.approxRecords,
        likelyConsequences: input.likelyConsequences,
        measures: input.measures,
        by: input.actor,
        at: nowIso(),
      };
      const seq = audit(input.actor, 'assessment.recorded', {
        dataImpact: assessment.dataImpact,
        customers: assessment.customers.length,
        regulatorRequired: assessment.regulatorRequired,
        dataCategories: assessment.dataCategories,
        approxPeople: assessment.approxPeople,
        approxRecords: assessment.approxRecords,
      });
      s.assessment = assessment;
      obligationsForAssessment(s, assessment, policy).forEach(addObligation);
      if (assessment.customers.length && assessment.dataImpact !== 'none') {
        s.customerNotice = { status: 'awaiting-approval', ...draftCustomerNotice(s, policy), deliveries: [] };
        audit(SYSTEM_ACTOR, 'customer-notice.drafted', { customers: assessment.customers.length });
      }
      if (assessment.regulatorRequired) void renderDossier();
      const opened = s.obligations.filter((o) => o.status === 'pending').map((o) => `${o.id} due ${o.dueAt}`);
      return done(seq, `Assessment recorded.${opened.length ? ` Open obligations: ${opened.join('; ')}.` : ''}`, { obligations: s.obligations });
    },
    { validator: validator(A.validateAssess) },
  );

  onAction(
    api.approveNoticeUpdate,
    async ({ actor, subject, text }) => {
      const notice = s.customerNotice!;
      if (subject) notice.subject = subject;
      if (text) notice.text = text;
      notice.status = 'sending';
      notice.approvedBy = actor;
      notice.approvedAt = nowIso();
      const seq = audit(actor, 'customer-notice.approved', { subject: notice.subject, recipients: s.assessment!.customers.map((c) => c.email) });
      changed();
      const results = await Promise.all(
        s.assessment!.customers.map(async (c) => ({ email: c.email, messageId: await deliver(customerNoticeMail(s, notice, c)) })),
      );
      notice.deliveries = results.filter((r): r is { email: string; messageId: string } => !!r.messageId);
      notice.status = 'sent';
      const failed = results.filter((r) => !r.messageId).map((r) => r.email);
      const ob = s.obligations.find((o) => o.kind === 'notify-customers' && o.status === 'pending');
      if (ob) {
        if (failed.length === 0) meet(ob, actor, notice.deliveries.map((d) => `${d.email} ${d.messageId}`));
        else ob.deliveryFailures.push(...failed.map((f) => `${f}: not delivered`));
      }
      audit(SYSTEM_ACTOR, 'customer-notice.sent', { delivered: notice.deliveries.length, failed });
      const message = failed.length
        ? `Notice sent to ${notice.deliveries.length} contact(s); NOT delivered to ${failed.join(', ')}: fix the address and contact them another way, then record the contact.`
        : `Notice approved and sent to ${notice.deliveries.length} contact(s).`;
      return done(seq, message, { deliveries: notice.deliveries, failed });
    },
    { validator: validator(A.validateApproveNotice) },
  );

  onAction(
    api.regulatorFilingUpdate,
    async ({ actor, reference, filedAt, lateReason, phase = 'initial', notes }) => {
      const filing = { phase, reference, filedAt: filedAt ? new Date(filedAt).toISOString() : nowIso(), by: actor, lateReason, notes };
      s.regulatorFilings.push(filing);
      const seq = audit(actor, 'regulator.filed', { ...filing });
      const ob = s.obligations.find((o) => o.kind === 'notify-regulator' && o.status === 'pending');
      if (ob && phase === 'initial') meet(ob, actor, [`${policy.regulator.name} reference ${reference}`], lateReason);
      return done(seq, `${phase === 'initial' ? 'Filing' : 'Follow-up filing'} ${reference} recorded.`);
    },
    { validator: validator(A.validateRegulatorFiling) },
  );

  onAction(
    api.contactUpdate,
    async (input) => {
      const contact = {
        kind: input.kind,
        organisation: input.organisation,
        person: input.person,
        at: input.at ? new Date(input.at).toISOString() : nowIso(),
        shared: input.shared,
        reference: input.reference,
        by: input.actor,
      };
      s.contacts.push(contact);
      const seq = audit(input.actor, 'contact.recorded', { ...contact });
      const ob = s.obligations.find((o) => o.kind === 'inform-law-enforcement' && o.status === 'pending');
      if (ob && input.kind === 'law-enforcement') meet(ob, input.actor, [`${input.organisation}${input.reference ? ` ref. ${input.reference}` : ''}`]);
      return done(seq, `Contact with ${input.organisation} recorded.`);
    },
    { validator: validator(A.validateContact) },
  );

  onAction(
    api.assignRcaUpdate,
    async ({ actor, to }) => {
      s.rcaAssignedTo = to;
      return done(audit(actor, 'rca.assigned', { to }), `Root-cause analysis assigned to ${to === 'law-enforcement' ? 'law enforcement' : 'internal staff'}.`);
    },
    { validator: validator(A.validateAssignRca) },
  );

  onAction(
    api.conclusionsUpdate,
    async (input) => {
      s.conclusions = {
        rootCause: input.rootCause,
        contributingFactors: input.contributingFactors ?? [],
        actions: input.actions ?? [],
        conductedBy: input.conductedBy ?? s.rcaAssignedTo,
        by: input.actor,
        at: nowIso(),
      };
      return done(audit(input.actor, 'rca.concluded', { ...s.conclusions }), 'Root-cause conclusions recorded.');
    },
    { validator: validator(A.validateConclusions) },
  );

  onAction(
    api.restoreUpdate,
    async ({ actor }) => {
      s.restoreRequested = { by: actor, at: nowIso() };
      const seq = audit(actor, 'recovery.requested', { systems: s.systems.map((x) => x.name) });
      for (const sys of s.systems) if (needsRun(sys.release.state)) startPipeline(sys, actor);
      checkRestored();
      await condition(() => activePipelines.size === 0 || !!s.restoredAt, '2 minutes');
      const pending = s.systems.filter((x) => !isSettled(x.release));
      return done(
        seq,
        s.restoredAt
          ? 'Every system is released; normal operations restored.'
          : `Release under way or needing attention: ${pending.map((x) => `${x.name} (${x.release.state})`).join(', ')}.`,
      );
    },
    { validator: validator(A.validateRestore) },
  );

  onAction(
    api.requestRfoUpdate,
    async ({ actor, customer, email }) => {
      const request = { id: `rfo-${s.rfoRequests.length + 1}`, customer, email, requestedAt: nowIso(), requestedBy: actor };
      s.rfoRequests.push(request);
      const seq = audit(actor, 'rfo.requested', { requestId: request.id, customer, to: email });
      addObligation(rfoObligation(request.id, customer, request.requestedAt, policy));
      return done(seq, `RFO request ${request.id} from ${customer} recorded.`, { requestId: request.id });
    },
    { validator: validator(A.validateRequestRfo) },
  );

  onAction(
    api.sendRfoUpdate,
    async ({ actor, requestId }) => {
      const request = s.rfoRequests.find((r) => r.id === requestId)!;
      const files = await renderReports(['rfo']);
      const markdown = renderMarkdown(rfoReport(s, policy, nowIso()));
      const messageId = await deliver(rfoMail(s, request.id, request.email, markdown, policy));
      if (!messageId) return done(audit(actor, 'rfo.not-delivered', { requestId, to: request.email }), `The RFO could not be delivered to ${request.email}; see incident show.`);
      request.sentAt = nowIso();
      request.messageId = messageId;
      const seq = audit(actor, 'rfo.sent', { requestId, to: request.email, messageId, files: files.map((f) => f.path) });
      const ob = s.obligations.find((o) => o.id === `send-rfo-${requestId}` && o.status === 'pending');
      if (ob) meet(ob, actor, [messageId]);
      return done(seq, `RFO sent to ${request.email}.`, { messageId });
    },
    { validator: validator(A.validateSendRfo) },
  );

  onAction(api.noteUpdate, async ({ actor, text }) => done(audit(actor, 'note.added', { note: text }), 'Note added.'), {
    validator: validator(A.validateNote),
  });

  onAction(
    api.waiveUpdate,
    async ({ actor, obligationId, reason }) => {
      const ob = s.obligations.find((o) => o.id === obligationId)!;
      ob.status = 'waived';
      ob.waivedReason = reason;
      return done(audit(actor, 'obligation.waived', { obligation: ob.id, reason }), `Obligation ${ob.id} waived.`);
    },
    { validator: validator(A.validateWaive) },
  );

  onAction(
    api.generateReportsUpdate,
    async ({ actor }) => {
      const kinds: ReportKind[] = ['rca', 'rfo', ...(s.assessment?.regulatorRequired ? (['regulator'] as const) : [])];
      const files = await renderReports(kinds);
      return done(audit(actor, 'reports.rendered', { files: files.map((f) => f.path) }), `Rendered ${files.length} files.`, { files });
    },
    { validator: validator(A.validateGenerateReports) },
  );

  onAction(
    api.closeUpdate,
    async ({ actor, summary }) => {
      if (summary) s.summary = summary;
      audit(actor, 'incident.closing', { summary });
      // Mail still retrying gets a grace period, then is abandoned (and says so) before the chain ends.
      if (!(await condition(() => mailsInFlight === 0, '2 minutes'))) mailScope.cancel();
      await condition(() => mailsInFlight === 0);
      s.closedAt = nowIso();
      s.closedBy = actor;
      const files = await renderReports(['rca', 'rfo', ...(s.assessment?.regulatorRequired ? (['regulator'] as const) : [])]);
      const seq = audit(actor, CLOSING_ACTION, {
        obligations: s.obligations.map((o) => ({ id: o.id, status: o.status, dueAt: o.dueAt, metAt: o.metAt })),
        reports: files.map((f) => f.path),
      });
      publishSearchAttributes();
      return done(seq, `Incident ${id} closed; reports rendered.`, { reports: files });
    },
    { validator: validator(A.validateClose) },
  );

  /** In-memory index of s.alertKeys, built on the first alert of this run. */
  let seenAlertKeys: Set<string> | undefined;
  setHandler(api.alertSignal, ({ alerts }) => {
    if (s.closedAt) return;
    // Keys of alerts already seen; incidents from before this field derive them from their alerts.
    const keys = (s.alertKeys ??= s.alerts.map((a) => alertKey(a.source, a.dedupKey, a.status)));
    const seen = (seenAlertKeys ??= new Set(keys));
    for (const alert of alerts) {
      const actor = `alert:${alert.source}`;
      // A sender's retry delivers the same alert again: it is recorded once per status change.
      const key = alertKey(alert.source, alert.dedupKey, alert.status);
      if (seen.has(key)) continue;
      seen.add(key);
      keys.push(key);
      s.alertsReceived = (s.alertsReceived ?? s.alerts.length) + 1;
      s.alerts.push({ source: alert.source, dedupKey: alert.dedupKey, status: alert.status, title: alert.title, observedAt: alert.observedAt, receivedAt: nowIso() });
      if (s.alerts.length > MAX_RECENT_ALERTS) s.alerts.splice(0, s.alerts.length - MAX_RECENT_ALERTS);
      audit(actor, alert.status === 'resolved' ? 'alert.resolved' : 'alert.received', {
        source: alert.source,
        dedupKey: alert.dedupKey,
        title: alert.title,
        severity: alert.severity,
        observedAt: alert.observedAt,
        systems: alert.systems,
        raw: alert.raw,
      });
      for (const name of alert.systems) {
        if (!s.systems.some((x) => x.name === name) && !s.restoredAt) {
          const sys = newSystemRecord(name, nowIso(), actor);
          s.systems.push(sys);
          audit(actor, 'containment.system-added', { system: name });
          startPipeline(sys, actor);
        }
      }
    }
    changed();
  });

  // ---------------------------------------------------------------- the run
  if (!input.carried) {
    if (!openingFirst) announceOpening();
    const le = lawEnforcementObligation(s, policy);
    if (le) addObligation(le);
  }
  publishSearchAttributes();
  for (const sys of s.systems) startPipeline(sys, s.openedBy);
  void clock();

  const maxEvents = input.maxHistoryEvents ?? 10_000;
  await condition(() => !!s.closedAt || workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= maxEvents);
  await condition(() => allHandlersFinished() && unwritten.length === 0 && mailsInFlight === 0 && activePipelines.size === 0 && accessLoads === 0);
  if (!s.closedAt) {
    await continueAsNew<typeof incidentWorkflow>({ request: input.request, policy, carried: s, maxHistoryEvents: input.maxHistoryEvents, access: { policy: accessPolicy } });
  }
  return { incidentId: id, closedAt: s.closedAt, auditEntries: s.auditSeq };
}

