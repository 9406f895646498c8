// Test-only fault injection: lets a test make the real worker process die with SIGKILL at an exact point
// of an activity (the crash windows that README "Guarantees" describes), instead of guessing with a timer.
// Read once at worker start from INCIDENT_FAULT_CRASH_AT and passed to the stores as a dependency; without
// the variable every point is a no-op.

export const FAULT_POINTS = {
  'audit-mid-write':
    'the audit store has written and fsynced the first half of its lines, then dies (a torn last line)',
  'audit-after-write': 'the audit store has appended and fsynced its lines, then dies before the activity returns',
  'audit-before-checkpoint':
    'the audit store has appended and fsynced its lines, then dies before signing the checkpoint for the new head',
  'mail-before-send': 'the mailer has recorded its sending intent, then dies before handing the message to the relay',
  'mail-after-accept':
    'the relay (or the outbox) has accepted the message, then the mailer dies before its ledger write',
} as const;

export type FaultPoint = keyof typeof FAULT_POINTS;

export const FAULT_ENV = 'INCIDENT_FAULT_CRASH_AT';

export interface FaultPoints {
  /**
   * Marks that `point` is reached. When this is the planned point and occurrence, runs `beforeCrash` (to
   * leave the state the point describes, e.g. half a line) and kills this process with SIGKILL.
   */
  reach(point: FaultPoint, beforeCrash?: () => Promise<void>): Promise<void>;
}

export const NO_FAULTS: FaultPoints = { reach: async () => undefined };

export interface FaultPlan {
  point: FaultPoint;
  /** Die the n-th time the point is reached in this process (1 = the first). */
  occurrence: number;
}

/** `<point>[:<n>]`; an unknown point or a bad count is an error that names the valid points. */
export function parseFaultPlan(value: string): FaultPlan {
  const match = /^([a-z-]+)(?::([1-9][0-9]{0,5}))?$/.exec(value.trim());
  if (!match || !(match[1] in FAULT_POINTS)) {
    throw new Error(
      `${FAULT_ENV}=${JSON.stringify(value)} is not <point>[:<n>]; points: ${Object.keys(FAULT_POINTS).join(', ')}`,
    );
  }
  return { point: match[1] as FaultPoint, occurrence: match[2] ? Number(match[2]) : 1 };
}

export function crashingFaultPoints(
  plan: FaultPlan,
  kill: () => void = () => process.kill(process.pid, 'SIGKILL'),
): FaultPoints {
  let reached = 0;
  return {
    async reach(point, beforeCrash) {
      if (point !== plan.point || ++reached !== plan.occurrence) return;
      if (beforeCrash) await beforeCrash();
      kill();
      // SIGKILL is not caught and ends the process here. A test's own `kill` should throw (a simulated crash
      // in-process); one that returns must not let the step go on, so it never resumes.
      await new Promise(() => undefined);
    },
  };
}

/** The worker's fault points from its environment, and the warning to print when any is armed. */
export function faultPointsFromEnv(env: Record<string, string | undefined>): { faults: FaultPoints; warning?: string } {
  const value = env[FAULT_ENV];
  if (!value) return { faults: NO_FAULTS };
  const plan = parseFaultPlan(value);
  const warning = [
    `WARNING: FAULT INJECTION: ${FAULT_ENV}=${value} is set. This worker will kill itself with SIGKILL when`,
    `  ${FAULT_POINTS[plan.point]} (occurrence ${plan.occurrence} in this process).`,
    '  This is for crash tests only; unset it on any real worker.',
  ].join('\n');
  return { faults: crashingFaultPoints(plan), warning };
}
