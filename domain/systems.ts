import { z } from 'zod';
import { SYSTEM_NAME_PATTERN } from './incident';

// The inventory of systems an incident can name, and for each the driver that isolates it and the one
// that copies it. A driver's settings are data; the code that acts on them is in activities/drivers/.

const argv = z
  .array(z.string().min(1))
  .min(1, 'needs the program and its arguments, e.g. ["nft", "add", "element", …]');

export const isolationDriverSchema = z.discriminatedUnion('driver', [
  z.object({
    driver: z.literal('command'),
    isolate: argv,
    release: argv,
    timeoutSeconds: z.number().positive().default(120),
  }),
  /** A person isolates the system and records it: `incident manual-step`. */
  z.object({ driver: z.literal('manual') }),
]);

export const evidenceDriverSchema = z.discriminatedUnion('driver', [
  /** A file, directory or block device readable from the worker, copied byte for byte. */
  z.object({ driver: z.literal('local'), path: z.string().min(1) }),
  /** A command whose standard output is the image, e.g. ["ssh", "{system}", "dd", "if=/dev/sda", "bs=4M"]. */
  z.object({
    driver: z.literal('command'),
    snapshot: argv,
    timeoutSeconds: z
      .number()
      .positive()
      .default(6 * 3600),
  }),
  z.object({ driver: z.literal('manual') }),
]);

export const systemSchema = z.object({
  description: z.string().optional(),
  isolation: isolationDriverSchema.default({ driver: 'manual' }),
  evidence: evidenceDriverSchema.default({ driver: 'manual' }),
});

export const systemsSchema = z
  .record(z.string(), systemSchema)
  .default({})
  .superRefine((systems, ctx) => {
    // Checked here rather than as a record-key schema, whose failure message zod replaces with a generic one.
    for (const name of Object.keys(systems)) {
      if (!SYSTEM_NAME_PATTERN.test(name))
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `"${name}" is not a valid system name: use letters, digits and . _ : - (at most 128)`,
        });
    }
  });

export type SystemConfig = z.output<typeof systemSchema>;
export type IsolationDriverConfig = z.output<typeof isolationDriverSchema>;
export type EvidenceDriverConfig = z.output<typeof evidenceDriverSchema>;
