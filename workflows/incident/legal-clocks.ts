import {
  clockRequestOf,
  emptyClocks,
  obligationOf,
  type ClockRequest,
  type ObligationClock,
} from '../../domain/clocks/incident-clocks';
import type { ClockObligation, ClockOutcome } from '../../domain/clocks/types';
import type { Obligation } from '../../domain/incident';
import { deadlineMovedNotice } from '../../domain/notices';
import { recipientsForObligation } from '../../domain/policy';
import { clockActs } from './activities';
import { SYSTEM_ACTOR, type IncidentRun } from './incident-run';
import { addObligation } from './obligation-book';
import type { MailQueue } from './mail-queue';

// The incident's legal clocks: every change of an anchor event, a fact or the assessment asks the engine
// again, one computation at a time, so a slow answer never overwrites a newer one. What the engine says is
// merged into the obligations: new ones open, moved ones are re-announced to the people they concern, and
// ones that no longer apply are closed with the reason.

const PROBLEM = 'legal-clocks';

export type LegalClocks = ReturnType<typeof createLegalClocks>;

/** Incidents assessed before the engine keep their own regulator and customer obligations. */
function withoutLegacyRegimes(s: Obligation[], request: ClockRequest): ClockRequest {
  const legacy = s.some((o) => !o.clock && (o.kind === 'notify-regulator' || o.kind === 'notify-customers'));
  if (!legacy) return request;
  return { ...request, regimes: request.regimes.filter((r) => r !== 'gdpr-art33' && r !== 'contract') };
}

export function createLegalClocks(run: IncidentRun, mail: MailQueue) {
  const { s, audit } = run;
  let queue: Promise<void> = Promise.resolve();

  function update(ob: Obligation, c: ClockObligation, because: string): void {
    const { obligation: _id, title, recipient, dueAt, ...next } = c;
    const before = ob.clock!;
    const moved = ob.dueAt !== dueAt || !!before.pausedUntilDelayEnd !== !!next.pausedUntilDelayEnd;
    const clock: ObligationClock = { ...next, revision: (before.revision ?? 0) + (moved ? 1 : 0) };
    Object.assign(ob, { title, owedTo: recipient, clock });
    if (!moved) return;
    audit.record(SYSTEM_ACTOR, 'obligation.rescheduled', {
      obligation: ob.id,
      from: ob.dueAt,
      dueAt,
      because,
      rule: c.rule,
      anchor: c.anchor,
      ...(next.pausedUntilDelayEnd ? { pausedUntilDelayEnd: true } : {}),
    });
    ob.dueAt = dueAt;
    // The new deadline gets its own reminders; their mail keys carry the revision, so none is mistaken for one sent.
    ob.noticesSent = [];
    const policy = run.policy();
    void mail.deliver(deadlineMovedNotice(s, ob, because, policy, recipientsForObligation(policy, ob)));
  }

  function apply(outcome: ClockOutcome, because: string): void {
    s.clocks ??= emptyClocks();
    s.clocks.undecided = outcome.undecided;
    const produced = new Set(outcome.obligations.map((c) => c.obligation));
    // The organisation may set its own reminder offsets per regime (policy.clocks.reminderOffsetsMinutes).
    const offsets = run.policy().clocks?.reminderOffsetsMinutes ?? {};
    for (const computed of outcome.obligations) {
      const own = offsets[computed.regime];
      const c = own ? { ...computed, reminderOffsetsMinutes: own } : computed;
      const existing = s.obligations.find((o) => o.id === c.obligation);
      if (!existing) addObligation(run, obligationOf(c));
      else if (existing.clock && existing.status === 'pending') update(existing, c, because);
    }
    for (const ob of s.obligations) {
      if (!ob.clock || ob.status !== 'pending' || produced.has(ob.id)) continue;
      ob.status = 'waived';
      ob.waivedReason = `No longer applies after ${because}.`;
      audit.record(SYSTEM_ACTOR, 'obligation.no-longer-applies', { obligation: ob.id, because });
    }
    run.clearProblem(PROBLEM);
    run.changed();
  }

  async function compute(because: string): Promise<void> {
    const request = withoutLegacyRegimes(s.obligations, clockRequestOf(s, run.policy()));
    try {
      apply(await clockActs.computeLegalClocks(request), because);
    } catch (err) {
      const cause = (err as Error).cause;
      run.addProblem(
        PROBLEM,
        `The legal clocks could not be computed after ${because}: ${cause instanceof Error ? cause.message : (err as Error).message}. Fix the worker's configuration, then record the event again; until then count the deadlines by hand (incident clocks).`,
      );
      run.changed();
    }
  }

  return {
    /** Recompute after `because` (said in the trail and in any re-announcement); resolves once applied. */
    refresh(because: string): Promise<void> {
      queue = queue.then(() => compute(because));
      return queue;
    },
  };
}
