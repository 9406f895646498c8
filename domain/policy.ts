// Who is told what, derived from a policy. Kept apart from the schema so that workflow code can use it
// without bundling the validation library.
import type { Policy } from './policy-schema';

export type { Policy };

/** A policy profile's name, as the worker's configuration and an opener's request spell it. */
export const POLICY_PROFILE_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** The profile that is the configuration's own `policy`. */
export const DEFAULT_POLICY_PROFILE = 'default';

export function recipientsOf(policy: Policy, roles: string[]): string[] {
  return [...new Set(roles.flatMap((r) => policy.recipients[r] ?? []))];
}

/** Who owns an obligation: the roles its regime names that have addresses, or the policy's deadline recipients. */
export function ownerRoles(policy: Policy, ob: { clock?: { roles: string[] } }): string[] {
  const named = (ob.clock?.roles ?? []).filter((r) => (policy.recipients[r] ?? []).length > 0);
  return named.length ? named : policy.deadlineRecipients;
}

/** Who hears of an obligation: the addresses of its owners. */
export function recipientsForObligation(policy: Policy, ob: { clock?: { roles: string[] } }): string[] {
  return recipientsOf(policy, ownerRoles(policy, ob));
}

export function escalationRecipients(policy: Policy, level: number): string[] {
  const levels = policy.escalation;
  return recipientsOf(policy, levels[Math.min(level, levels.length - 1)]);
}

/** Which policy an incident took: the worker's profile, the version its configuration names, and a digest. */
export interface PolicyVersion {
  profile: string;
  version: string;
  /** SHA-256 over the canonical JSON of the policy, so two policies with one version label still differ. */
  sha256: string;
}
