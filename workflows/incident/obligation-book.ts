import { isLate } from '../../domain/deadlines';
import type { ObligationClock } from '../../domain/clocks/incident-clocks';
import type { Obligation } from '../../domain/incident';
import { markMet } from '../../domain/obligations';
import { SYSTEM_ACTOR, type IncidentRun } from './incident-run';

// The incident's obligations as the workflow keeps them: opened once, rescheduled while pending, met with
// proof. Every change wakes the deadline clock, so a met obligation's reminders stop at once.

/** What the trail keeps of the rule behind an obligation the clock engine opened. */
function clockDetails(c: ObligationClock): Record<string, unknown> {
  return {
    regime: c.regime,
    rule: c.rule,
    convention: c.convention,
    anchor: c.anchor,
    why: c.why,
    ...(c.lateBecause ? { lateBecause: c.lateBecause } : {}),
    ...(c.pausedUntilDelayEnd ? { pausedUntilDelayEnd: true } : {}),
  };
}

export function addObligation({ s, audit, changed }: IncidentRun, ob: Obligation): void {
  const existing = s.obligations.find((o) => o.id === ob.id);
  if (!existing) {
    s.obligations.push(ob);
    audit.record(SYSTEM_ACTOR, 'obligation.opened', {
      obligation: ob.id,
      title: ob.title,
      dueAt: ob.dueAt,
      owedTo: ob.owedTo,
      ...(ob.clock ? clockDetails(ob.clock) : {}),
    });
  } else if (existing.status === 'pending' && existing.dueAt !== ob.dueAt) {
    audit.record(SYSTEM_ACTOR, 'obligation.rescheduled', { obligation: ob.id, from: existing.dueAt, dueAt: ob.dueAt });
    existing.dueAt = ob.dueAt;
    existing.title = ob.title;
  }
  changed();
}

export function meet(
  { audit, changed, nowIso }: IncidentRun,
  ob: Obligation,
  actor: string,
  proof: string[],
  lateReason?: string,
): void {
  const at = nowIso();
  markMet(ob, at, actor, proof, lateReason);
  audit.record(actor, 'obligation.met', {
    obligation: ob.id,
    late: isLate(ob, new Date(at)),
    proof,
    reason: lateReason,
  });
  changed();
}

/** The pending obligation of this kind, if any. */
export function pendingOf({ s }: IncidentRun, kind: Obligation['kind']): Obligation | undefined {
  return s.obligations.find((o) => o.kind === kind && o.status === 'pending');
}
