import { clockOptionsOf } from '../domain/clocks/incident-clocks';
import { checkClockOptions } from '../domain/clocks/clock-options';
import { ClockInputError } from '../domain/clocks/input-error';
import { DEFAULT_POLICY_PROFILE, type Policy } from '../domain/policy';
import { ConfigError } from '../platform/config/schema';

// The legal-clock settings of every policy the worker may apply, checked before it takes any incident: a
// Member State with no holiday calendar or a contract clock that cannot be counted stops the start with
// the setting named, instead of surfacing as a problem in the middle of an incident.

export function checkClockSettings(policyProfiles: Record<string, Policy>): void {
  const problems: string[] = [];
  for (const [name, policy] of Object.entries(policyProfiles)) {
    try {
      checkClockOptions(clockOptionsOf(policy));
    } catch (err) {
      if (!(err instanceof ClockInputError)) throw err;
      problems.push(`${name === DEFAULT_POLICY_PROFILE ? 'policy' : `policyProfiles.${name}`}: ${err.message}`);
    }
  }
  if (problems.length) throw new ConfigError(problems, 'the legal clock settings');
}
