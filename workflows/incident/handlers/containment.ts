import { condition } from '@temporalio/workflow';
import * as A from '../../../domain/actions';
import { isSettled, newSystemRecord } from '../../../domain/incident';
import * as api from '../../incident-api';
import { action, done } from '../actions';
import { needsRun, type Containment } from '../containment';
import type { IncidentRun } from '../incident-run';

// Actions that change the affected systems: add one, copy it again, retry or record a step, restore.

export function containmentActions(run: IncidentRun, containment: Containment) {
  const { s, audit, nowIso } = run;
  const systemNamed = (name: string) => s.systems.find((x) => x.name === name)!;

  return {
    addSystem: action(api.addSystemUpdate, A.validateAddSystem, async ({ actor, system }) => {
      const sys = newSystemRecord(system, nowIso(), actor);
      s.systems.push(sys);
      const seq = audit.record(actor, 'containment.system-added', { system });
      containment.startPipeline(sys, actor);
      return done(run, seq, `System ${system} added; isolation and evidence collection started.`);
    }),

    collectEvidence: action(api.collectEvidenceUpdate, A.validateCollectEvidence, async ({ actor, system }) => {
      const sys = systemNamed(system);
      sys.evidenceRound++;
      sys.evidence = { state: 'pending', attempts: 0 };
      const seq = audit.record(actor, 'evidence.collection-requested', { system, round: sys.evidenceRound });
      containment.startPipeline(sys, actor);
      return done(run, seq, `A new copy of ${system} is being taken (round ${sys.evidenceRound}).`);
    }),

    retryStep: action(api.retryStepUpdate, A.validateRetryStep, async ({ actor, system, step }) => {
      const sys = systemNamed(system);
      if (step === 'evidence') sys.evidenceRound++;
      else sys.isolationRound++;
      sys[step] = { state: 'pending', attempts: sys[step].attempts };
      const seq = audit.record(actor, 'step.retry-requested', { system, step });
      containment.retry(sys, step, actor);
      return done(run, seq, `Retrying the ${step} of ${system}.`);
    }),

    manualStep: action(api.manualStepUpdate, A.validateManualStep, async ({ actor, system, step, detail }) => {
      const sys = systemNamed(system);
      sys[step] = { state: 'manual', at: nowIso(), detail, attempts: sys[step].attempts };
      run.clearProblem(`${step}:${system}`);
      const seq = audit.record(actor, 'step.recorded-manually', { system, step, detail });
      if (step === 'release') containment.checkRestored();
      else containment.startPipeline(sys, actor);
      return done(run, seq, `The ${step} of ${system} is recorded as done by hand.`);
    }),

    restore: action(api.restoreUpdate, A.validateRestore, async ({ actor }) => {
      s.restoreRequested = { by: actor, at: nowIso() };
      const seq = audit.record(actor, 'recovery.requested', { systems: s.systems.map((x) => x.name) });
      for (const sys of s.systems) if (needsRun(sys.release.state)) containment.startPipeline(sys, actor);
      containment.checkRestored();
      await condition(() => containment.activeCount() === 0 || !!s.restoredAt, '2 minutes');
      const pending = s.systems.filter((x) => !isSettled(x.release));
      return done(
        run,
        seq,
        s.restoredAt
          ? 'Every system is released; normal operations restored.'
          : `Release under way or needing attention: ${pending.map((x) => `${x.name} (${x.release.state})`).join(', ')}.`,
      );
    }),
  };
}
