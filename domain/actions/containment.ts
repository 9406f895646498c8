import { findSystem, isSettled, type IncidentState } from '../incident';
import {
  checkActor,
  checkOpen,
  checkSystemName,
  knownSystem,
  oneOf,
  refuse,
  text,
  type ActorInput,
} from './input-checks';

// The affected systems: adding one, collecting its evidence, retrying or recording by hand a step of
// isolation, evidence or release, and restoring them to production once their evidence is preserved.

export interface SystemInput extends ActorInput {
  system: string;
}
export function validateAddSystem(state: IncidentState, input: SystemInput): void {
  checkActor(input);
  checkOpen(state);
  const name = checkSystemName(input.system);
  if (findSystem(state, name)) refuse(`System "${name}" is already part of incident ${state.incidentId}.`);
  if (state.restoredAt)
    refuse(`Incident ${state.incidentId} is already restored; open a new incident for a newly affected system.`);
  if (state.systems.length >= 500) refuse('At most 500 systems per incident.');
}

export function validateCollectEvidence(state: IncidentState, input: SystemInput): void {
  checkActor(input);
  checkOpen(state);
  const sys = knownSystem(state, input.system);
  if (sys.evidence.state === 'running')
    refuse(`Evidence of "${sys.name}" is being collected right now; wait for it to finish.`);
  if (sys.release.state === 'done')
    refuse(`"${sys.name}" was released to production; a copy now would not show the incident state.`);
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
  if (sys[step].state === 'running')
    refuse(`The ${step} of "${sys.name}" is running now; wait for it to finish or fail.`);
}

export function validateRestore(state: IncidentState, input: ActorInput): void {
  checkActor(input);
  checkOpen(state);
  if (state.restoredAt) refuse(`Incident ${state.incidentId} was already restored at ${state.restoredAt}.`);
  if (state.restoreRequested)
    refuse(
      `Restoration was already requested by ${state.restoreRequested.by}; retry a failed release with incident retry, or record it with incident manual-step.`,
    );
  const noEvidence = state.systems.filter((s) => !isSettled(s.evidence));
  if (noEvidence.length) {
    refuse(
      `Forensic evidence of ${noEvidence.map((s) => `"${s.name}" (${s.evidence.state})`).join(', ')} is not preserved yet; releasing now would destroy it. ` +
        'Wait for the copy, retry it (incident retry), or record a manual copy (incident manual-step).',
    );
  }
}
