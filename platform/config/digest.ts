import { z } from 'zod';
import { isTimeZone } from '../../domain/clocks/zones';
import type { Policy } from '../../domain/policy';

// The daily digest to leadership (worker/digest-schedule.ts). Top-level rather than in the policy: the
// policy is copied into each incident and fixed there, while the digest is one schedule of the whole
// installation, spanning every open incident; changing its hour must not make a new policy version.

export const digestSchema = z.object({
  enabled: z.boolean().default(true),
  /** Local time of day the digest is sent, in `timeZone`. */
  time: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM, such as 08:00')
    .default('08:00'),
  /** Unset: the policy's time zone. */
  timeZone: z
    .string()
    .refine((tz) => isTimeZone(tz), { message: 'is not an IANA time zone such as Europe/Paris' })
    .optional(),
  /** Roles of policy.recipients; unset: the policy's deadlineRecipients. */
  recipients: z.array(z.string().min(1)).min(1, 'must name at least one role').optional(),
});

export type DigestConfig = { enabled: boolean; time: string; timeZone: string; recipients: string[] };

/** The digest with its defaults taken from the policy; an unknown role is an issue on digest.recipients. */
export function resolveDigest(
  digest: z.output<typeof digestSchema>,
  policy: Policy,
  ctx: z.RefinementCtx,
): DigestConfig {
  const recipients = digest.recipients ?? policy.deadlineRecipients;
  recipients.forEach((role, i) => {
    if (!policy.recipients[role]?.length)
      ctx.addIssue({
        code: 'custom',
        path: ['digest', 'recipients', i],
        message: `names role "${role}", which has no recipients in policy.recipients`,
      });
  });
  return { ...digest, timeZone: digest.timeZone ?? policy.timeZone, recipients };
}
