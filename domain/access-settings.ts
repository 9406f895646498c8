import { z } from 'zod';
import { ACTIONS, DEFAULT_ACTION_ROLES, normalisePublicKey, ROLES } from './access-policy';

// Who may do what, as the worker's configuration states it: the roster of people with their public keys
// and roles, and which roles each action needs. The worker validates it at start and enforces its copy.

const rosterMemberSchema = z.object({
  roles: z.array(z.enum(ROLES)).min(1, 'needs at least one role'),
  publicKey: z.string().transform((text, ctx) => {
    try {
      return normalisePublicKey(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }),
});

/**
 * Access control. With an empty roster every action is allowed (a single-operator lab); with one, every
 * action must be signed by a member whose role the action needs. The worker's copy is the one enforced.
 */
export const accessSchema = z.object({
  roster: z
    .record(z.string().regex(/^[^\s].{0,199}$/, 'an actor name is 1–200 characters'), rosterMemberSchema)
    .default({}),
  actionRoles: z.partialRecord(z.enum(ACTIONS), z.array(z.enum(ROLES)).min(1)).default({}),
  maxSignatureAgeSeconds: z.number().positive().max(3600).default(300),
});

/** The mapping in force: the defaults with the configured actions replaced. */
export function actionRolesOf(access: AccessConfig) {
  return { ...DEFAULT_ACTION_ROLES, ...access.actionRoles } as typeof DEFAULT_ACTION_ROLES;
}

export type AccessConfig = z.output<typeof accessSchema>;
