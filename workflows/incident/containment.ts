import type { StepOutcome } from '../../activities';
import type { StepLabel } from '../../domain/audit-actions';
import { isSettled, type SystemRecord } from '../../domain/incident';
import { driverActs, evidenceActs } from './activities';
import { SYSTEM_ACTOR, type IncidentRun } from './incident-run';

// One pipeline per system: isolation, then evidence, then (once restore is asked for) release. A pipeline
// resumes where it stood after continue-as-new; a failed or manual step waits for a person.

export type StepName = 'isolation' | 'evidence' | 'release';

const STEP_LABELS: Record<StepName, StepLabel> = {
  isolation: 'containment.isolation',
  evidence: 'evidence.collection',
  release: 'recovery.release',
};

export const needsRun = (state: string) => state === 'pending' || state === 'running';

export type Containment = ReturnType<typeof createContainment>;

export interface ContainmentOptions {
  /** Isolation and release heartbeat, so a dead worker's step moves on (patch `driver-heartbeat`). */
  driverHeartbeat: boolean;
}

export function createContainment(run: IncidentRun, { driverHeartbeat }: ContainmentOptions) {
  const { id, s, audit, changed, nowIso } = run;
  const activePipelines = new Set<string>();

  async function runStep(
    sys: SystemRecord,
    step: StepName,
    actor: string,
    act: () => Promise<StepOutcome>,
  ): Promise<void> {
    const label = STEP_LABELS[step];
    sys[step] = { state: 'running', attempts: sys[step].attempts + 1, at: nowIso() };
    audit.record(actor, `${label}-started`, { system: sys.name });
    changed();
    try {
      const outcome = await act();
      if (outcome.kind === 'manual') {
        sys[step] = { ...sys[step], state: 'awaiting-manual', detail: outcome.instruction };
        run.addProblem(`${step}:${sys.name}`, outcome.instruction);
        audit.record(SYSTEM_ACTOR, `${label}-awaiting-manual`, { system: sys.name, instruction: outcome.instruction });
      } else {
        sys[step] = { ...sys[step], state: 'done', at: nowIso(), detail: outcome.detail };
        run.clearProblem(`${step}:${sys.name}`);
      }
    } catch (err) {
      const failure = err as { cause?: { message?: string }; message?: string };
      const error = failure.cause?.message ?? failure.message ?? String(err);
      sys[step] = { ...sys[step], state: 'failed', at: nowIso(), error };
      const hint = `Retry with: incident retry ${id} ${sys.name} --step ${step}; or do it by hand and record it: incident manual-step ${id} ${sys.name} --step ${step} --detail "…"`;
      run.addProblem(
        `${step}:${sys.name}`,
        `The ${step} of ${sys.name} failed: ${error.replace(/[.\s]+$/, '')}. ${hint}`,
      );
      audit.record(SYSTEM_ACTOR, `${label}-failed`, { system: sys.name, error });
    }
    changed();
  }

  const isolate = (sys: SystemRecord, actor: string) =>
    runStep(sys, 'isolation', actor, async () => {
      const out = await driverActs(driverHeartbeat).isolateSystem({
        incidentId: id,
        system: sys.name,
        round: sys.isolationRound,
      });
      if (out.kind === 'done')
        audit.record(SYSTEM_ACTOR, 'containment.isolated', { system: sys.name, detail: out.detail });
      return out;
    });

  const collect = (sys: SystemRecord, actor: string) =>
    runStep(sys, 'evidence', actor, async () => {
      const out = await evidenceActs.collectEvidence({
        incidentId: id,
        system: sys.name,
        round: sys.evidenceRound,
        collector: actor,
      });
      if (out.kind === 'manual') return out;
      sys.evidenceRecords.push(out.record);
      audit.record(SYSTEM_ACTOR, 'evidence.collected', {
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
      const out = await driverActs(driverHeartbeat).releaseSystem({
        incidentId: id,
        system: sys.name,
        round: sys.isolationRound,
      });
      if (out.kind === 'done')
        audit.record(SYSTEM_ACTOR, 'recovery.released', { system: sys.name, detail: out.detail });
      return out;
    });

  function checkRestored(): void {
    if (!s.restoreRequested || s.restoredAt) return;
    if (s.systems.every((x) => isSettled(x.release))) {
      s.restoredAt = nowIso();
      s.restoredBy = s.restoreRequested.by;
      audit.record(SYSTEM_ACTOR, 'recovery.restored', { systems: s.systems.map((x) => x.name) });
      changed();
    }
  }

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

  /** A retried release runs alone when no pipeline holds the system; any other step rejoins the pipeline. */
  function retry(sys: SystemRecord, step: StepName, actor: string): void {
    if (step === 'release' && !activePipelines.has(sys.name)) {
      activePipelines.add(sys.name);
      void release(sys, actor)
        .then(checkRestored)
        .finally(() => activePipelines.delete(sys.name));
    } else startPipeline(sys, actor);
  }

  return { startPipeline, retry, checkRestored, activeCount: () => activePipelines.size };
}
