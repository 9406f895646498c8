import { z } from 'zod';
import { REGIME_IDS } from './clocks/types';
import { isTimeZone } from './clocks/zones';

// The procedure's numbers and people. A deployment changes them in configuration; a running incident
// keeps the policy it was opened with, so a config change never moves a deadline already announced.

const timeZone = z
  .string()
  .refine((tz) => isTimeZone(tz), { message: 'is not an IANA time zone such as Europe/Paris' });

const regimeId = z.enum(REGIME_IDS, { message: `is not a known regime; the regimes are ${REGIME_IDS.join(', ')}` });

const positiveHours = z.number().positive({ message: 'must be more than 0 hours: a contract clock cannot be zero' });

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
    timeZone: timeZone.default('Europe/Paris'),
    /**
     * A recipient's own time zone (address → IANA zone). One mail goes to several people, so deadline mails
     * add a due-time line per zone that differs from `timeZone`. Optional: absent leaves the digest as it was.
     */
    timeZones: z.record(email, timeZone).optional(),
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
    /** The legal regimes whose clocks this organisation's incidents run (see `incident clocks --list`). */
    regimes: z.array(regimeId).default(['gdpr-art33', 'gdpr-art34', 'contract']),
    /** What the regimes need to know of the organisation: where it is, who its authorities are. */
    clocks: z
      .object({
        /** ISO 3166 country whose bank and public holidays count (DORA's relief). */
        memberState: z
          .string()
          .regex(/^[A-Z]{2}$/, 'must be a country code such as FR')
          .default('FR'),
        zones: z.partialRecord(regimeId, timeZone).default({}),
        nis2Authority: z.string().min(1).optional(),
        doraAuthority: z.string().min(1).optional(),
        doraEntityType: z.string().min(1).optional(),
        doraReliefDisapplied: z.boolean().default(false),
        art34TargetHours: z.number().positive().default(72),
        /** Per-regime reminder offsets in minutes before a deadline, replacing the regime's own. */
        reminderOffsetsMinutes: z.partialRecord(regimeId, z.array(z.number().positive()).min(1)).default({}),
      })
      .prefault({}),
    /** The customer registry: each customer's own contractual notification clock. */
    customers: z
      .array(
        z.object({
          id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a short id such as acme'),
          name: z.string().min(1),
          contacts: z.array(email).default([]),
          timeZone: timeZone.optional(),
          personalDataHours: positiveHours.optional(),
          projectDataHours: positiveHours.optional(),
          baaDays: z.number().int().positive().optional(),
          contractReference: z.string().optional(),
        }),
      )
      .default([]),
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
