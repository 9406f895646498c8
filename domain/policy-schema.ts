import { z } from 'zod';

// The procedure's numbers and people. A deployment changes them in configuration; a running incident
// keeps the policy it was opened with, so a config change never moves a deadline already announced.

const email = z
  .string()
  .trim()
  .pipe(z.email({ message: 'must be an email address such as cto@example.com' }));

export const policySchema = z
  .object({
    /** A label the operator changes with the policy; incidents record it with the policy's SHA-256. */
    version: z.string().trim().min(1).max(100).default('1'),
    organisation: z.string().min(1).default('Example Hosting SAS'),
    /** Time zone for the times people read in mails and reports; clocks themselves are absolute. */
    timeZone: z
      .string()
      .default('Europe/Paris')
      .refine(isKnownTimeZone, { message: 'is not an IANA time zone such as Europe/Paris' }),
    ackWindowMinutes: z.number().positive().default(15),
    /** Role name → mail addresses. */
    recipients: z.record(z.string(), z.array(email)).default({
      cto: ['cto@example.com'],
      ciso: ['ciso@example.com'],
      ceo: ['ceo@example.com'],
      dpo: ['dpo@example.com'],
      legal: ['legal@example.com'],
    }),
    /** Level 0 is told at once when an incident opens; each later level when nobody acknowledged in the window. */
    escalation: z
      .array(z.array(z.string()).min(1))
      .min(1)
      .default([['cto', 'ciso'], ['ceo'], ['ceo', 'legal']]),
    /** Roles reminded before each legal deadline and told when one passes. */
    deadlineRecipients: z.array(z.string()).min(1).default(['cto', 'dpo', 'legal']),
    dpo: z
      .object({ name: z.string(), email, phone: z.string().optional() })
      .default({ name: 'Data Protection Officer', email: 'dpo@example.com' }),
    regulator: z.object({ name: z.string(), article: z.string() }).default({ name: 'CNIL', article: 'GDPR Art. 33' }),
    customerPersonalDataHours: z.number().positive().default(24),
    customerProjectDataHours: z.number().positive().default(72),
    regulatorHours: z.number().positive().default(72),
    lawEnforcementHours: z.number().positive().default(72),
    rfoHours: z.number().positive().default(120),
    reminderOffsetsHours: z.array(z.number().positive()).default([12, 4, 1]),
    overdueRepeatHours: z.number().positive().default(4),
  })
  .superRefine((p, ctx) => {
    const roles = new Set(
      Object.entries(p.recipients)
        .filter(([, addresses]) => addresses.length > 0)
        .map(([role]) => role),
    );
    p.escalation.forEach((level, i) =>
      level.forEach((role) => {
        if (!roles.has(role))
          ctx.addIssue({
            code: 'custom',
            path: ['escalation', i],
            message: `names role "${role}", which has no recipients`,
          });
      }),
    );
    p.deadlineRecipients.forEach((role) => {
      if (!roles.has(role))
        ctx.addIssue({
          code: 'custom',
          path: ['deadlineRecipients'],
          message: `names role "${role}", which has no recipients`,
        });
    });
    if (!p.escalation[0].includes('cto')) {
      ctx.addIssue({
        code: 'custom',
        path: ['escalation', 0],
        message: 'must include the role "cto": the procedure tells the CTO at once',
      });
    }
  });

export type Policy = z.output<typeof policySchema>;

export function defaultPolicy(): Policy {
  return policySchema.parse({});
}

let canonicalZones: Set<string> | undefined;

/**
 * The canonical names are checked against a list, which is cheap; building a formatter for the zone, which
 * also accepts aliases such as UTC, is slow on its first use, so it is left for the names the list lacks.
 */
function isKnownTimeZone(tz: string): boolean {
  canonicalZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (canonicalZones.has(tz)) return true;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
