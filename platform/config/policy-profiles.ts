import { z } from 'zod';
import { DEFAULT_POLICY_PROFILE, POLICY_PROFILE_PATTERN, type Policy } from '../../domain/policy';
import { policySchema } from '../../domain/policy-schema';
import { deepMerge } from './merge';

// Named variants of the policy that an opener may ask for (a customer contract with a shorter notice,
// a HIPAA workload): each is written as the settings it changes, merged over `policy` and validated as a
// whole. Only the worker's configuration defines them; a request can name one, never supply one.

export const policyProfilesSchema = z
  .record(
    z.string().regex(POLICY_PROFILE_PATTERN, 'a profile name is lower-case letters, digits and . _ - (at most 64)'),
    z.record(z.string(), z.unknown()),
  )
  .default({})
  .refine((profiles) => !(DEFAULT_POLICY_PROFILE in profiles), {
    message: `"${DEFAULT_POLICY_PROFILE}" names the configuration's own policy; choose another profile name`,
  });

export function resolvePolicyProfiles(
  base: Policy,
  overrides: Record<string, Record<string, unknown>>,
  ctx: z.RefinementCtx,
): Record<string, Policy> {
  const profiles: Record<string, Policy> = { [DEFAULT_POLICY_PROFILE]: base };
  for (const [name, override] of Object.entries(overrides)) {
    const result = policySchema.safeParse(deepMerge(base, override));
    if (result.success) profiles[name] = result.data;
    else
      for (const issue of result.error.issues)
        ctx.addIssue({
          code: 'custom',
          path: ['policyProfiles', name, ...issue.path.map(String)],
          message: issue.message,
        });
  }
  return profiles;
}
