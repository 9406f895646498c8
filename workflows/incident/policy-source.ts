import { condition, patched } from '@temporalio/workflow';
import type { PolicyVersion } from '../../domain/policy';
import type * as api from '../incident-api';
import type { AccessGate } from './access-gate';
import { settingsActs } from './activities';
import { SYSTEM_ACTOR, type IncidentRun } from './incident-run';

// The policy (deadlines, recipients, escalation) is the worker's: it is loaded from the worker's
// configuration when the incident opens, recorded in the trail by version and SHA-256, and kept for the
// incident's life, across continue-as-new, so a configuration change never moves a deadline already
// announced. Whatever policy an opener puts in the input is ignored. Incidents opened before this change
// replay with the policy that came in their input.

export type PolicyOrigin = 'input' | 'worker';

/** `carried` is set only for a run that Temporal itself continued, which carries its policy along. */
export function policyOrigin(input: api.IncidentWorkflowInput, carried: unknown): PolicyOrigin {
  if (carried !== undefined) return input.policy !== undefined ? 'input' : 'worker';
  return patched('policy-from-worker') ? 'worker' : 'input';
}

export type PolicySource = ReturnType<typeof createPolicySource>;

export function createPolicySource(
  run: IncidentRun,
  input: api.IncidentWorkflowInput,
  origin: PolicyOrigin,
  access: AccessGate,
) {
  let version: PolicyVersion | undefined;

  async function load(): Promise<void> {
    const settings = await settingsActs.loadIncidentSettings({ profile: input.request.policyProfile, incident: run.s });
    if (settings.deadlinesOnceAssessed) run.s.deadlinesOnceAssessed = settings.deadlinesOnceAssessed;
    if (!access.loaded()) access.adopt(settings.access);
    access.adoptLinks(settings.links);
    version = settings.version;
    run.adoptPolicy(settings.policy);
    run.audit.record(SYSTEM_ACTOR, 'policy.loaded', {
      ...settings.version,
      policy: settings.policy,
      ...(settings.links ? { linkKeys: settings.links.publicKeys } : {}),
      ...(settings.unknownProfile ? { unknownProfile: settings.unknownProfile } : {}),
      ...(input.policy ? { openerPolicyIgnored: true } : {}),
    });
    if (settings.unknownProfile) {
      run.addProblem(
        'policy-profile',
        `The policy profile "${settings.unknownProfile}" is not in the worker's configuration, so the default policy applies; add it under policyProfiles, or waive and handle the deadlines by hand.`,
      );
    }
    run.changed();
  }

  if (origin === 'input') {
    run.adoptPolicy(input.policy!);
    version = input.policyVersion;
  } else void load();

  return {
    loaded: run.hasPolicy,
    whenLoaded: () => condition(run.hasPolicy),
    /** Which policy is in force; undefined for incidents whose opener supplied it. */
    version: () => version,
  };
}
