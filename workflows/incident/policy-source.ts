import { condition, patched, workflowInfo } from '@temporalio/workflow';
import type { PolicyVersion } from '../../domain/policy';
import type * as api from '../incident-api';
import { recordActs } from './activities';
import { SYSTEM_ACTOR, type IncidentRun } from './incident-run';

// The policy (deadlines, recipients, escalation) is the worker's: it is loaded from the worker's
// configuration when the incident opens, recorded in the trail by version and SHA-256, and kept for the
// incident's life, across continue-as-new, so a configuration change never moves a deadline already
// announced. Whatever policy an opener puts in the input is ignored. Incidents opened before this change
// replay with the policy that came in their input.

export type PolicySource = ReturnType<typeof createPolicySource>;

export function createPolicySource(run: IncidentRun, input: api.IncidentWorkflowInput) {
  let version: PolicyVersion | undefined;
  let loaded = false;
  // Only a run that Temporal itself continued may carry a policy; a client cannot start one that way.
  const continued = input.carried !== undefined && workflowInfo().continuedFromExecutionRunId !== undefined;
  const fromInput = continued ? input.policy !== undefined : !patched('policy-from-worker');

  async function load(): Promise<void> {
    const result = await recordActs.loadPolicy({ profile: input.request.policyProfile });
    version = result.version;
    run.adoptPolicy(result.policy);
    loaded = true;
    run.audit.record(SYSTEM_ACTOR, 'policy.loaded', {
      ...result.version,
      policy: result.policy,
      ...(result.unknownProfile ? { unknownProfile: result.unknownProfile } : {}),
      ...(input.policy ? { openerPolicyIgnored: true } : {}),
    });
    if (result.unknownProfile) {
      run.addProblem(
        'policy-profile',
        `The policy profile "${result.unknownProfile}" is not in the worker's configuration, so the default policy applies; add it under policyProfiles, or waive and handle the deadlines by hand.`,
      );
    }
    run.changed();
  }

  if (fromInput) {
    run.adoptPolicy(input.policy!);
    version = input.policyVersion;
    loaded = true;
  } else void load();

  return {
    loaded: () => loaded,
    whenLoaded: () => condition(() => loaded),
    /** Which policy is in force; undefined for incidents whose opener supplied it. */
    version: () => version,
  };
}
