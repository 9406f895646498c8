// Who is told what, derived from a policy. Kept apart from the schema so that workflow code can use it
// without bundling the validation library.
import type { Policy } from './policy-schema';

export type { Policy };

export function recipientsOf(policy: Policy, roles: string[]): string[] {
  return [...new Set(roles.flatMap((r) => policy.recipients[r] ?? []))];
}

export function escalationRecipients(policy: Policy, level: number): string[] {
  const levels = policy.escalation;
  return recipientsOf(policy, levels[Math.min(level, levels.length - 1)]);
}
