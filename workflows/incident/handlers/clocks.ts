import * as A from '../../../domain/actions';
import { describeOpenClocks, emptyClocks, type RecordedClockEvent } from '../../../domain/clocks/incident-clocks';
import { parseIncidentFacts } from '../../../domain/clocks/incident-facts';
import type { EventName, RegimeId } from '../../../domain/clocks/types';
import { lawEnforcementObligation, markMet } from '../../../domain/obligations';
import { isLate } from '../../../domain/deadlines';
import * as api from '../../incident-api';
import { action, done } from '../actions';
import type { IncidentRun } from '../incident-run';
import type { LegalClocks } from '../legal-clocks';
import { addObligation } from '../obligation-book';

// The actions that drive the legal clocks: an anchor event (a classification, a determination, a delay),
// facts the regimes need, a phase's submission (which meets it and starts the next phase's clock), and a
// corrected awareness time (which moves every clock counted from it).

export function clockActions(run: IncidentRun, clocks: LegalClocks) {
  const { s, audit, nowIso } = run;
  const record = (event: RecordedClockEvent) => (s.clocks ??= emptyClocks()).events.push(event);

  return {
    event: action(api.clockEventUpdate, A.validateClockEvent, async (input) => {
      const event: RecordedClockEvent = {
        name: input.event as EventName,
        at: input.at ? new Date(input.at).toISOString() : nowIso(),
        ...(input.reason ? { reason: input.reason } : {}),
        ...(input.reference ? { reference: input.reference } : {}),
        ...(input.dueAt ? { dueAt: new Date(input.dueAt).toISOString() } : {}),
        ...(input.regime ? { regime: input.regime as RegimeId } : {}),
        by: input.actor,
        recordedAt: nowIso(),
      };
      record(event);
      const seq = audit.record(input.actor, 'clock.event-recorded', { ...event });
      await clocks.refresh(`the event ${event.name} at ${event.at}`);
      return done(run, seq, `Event ${event.name} recorded.${describeOpenClocks(s)}`, { obligations: s.obligations });
    }),

    facts: action(api.clockFactsUpdate, A.validateClockFacts, async ({ actor, facts }) => {
      const parsed = parseIncidentFacts(facts);
      s.clocks ??= emptyClocks();
      s.clocks.facts = { ...s.clocks.facts, ...parsed };
      const seq = audit.record(actor, 'clock.facts-recorded', { facts: parsed });
      await clocks.refresh(`the facts ${facts.join(', ')}`);
      return done(run, seq, `Facts recorded.${describeOpenClocks(s)}`, { obligations: s.obligations });
    }),

    submission: action(api.submissionUpdate, A.validateSubmission, async (input) => {
      const ob = s.obligations.find((o) => o.id === input.obligationId)!;
      const at = input.at ? new Date(input.at).toISOString() : nowIso();
      markMet(ob, at, input.actor, [input.reference], input.lateReason);
      const seq = audit.record(input.actor, 'obligation.submitted', {
        obligation: ob.id,
        reference: input.reference,
        at,
        late: isLate(ob, new Date(at)),
        reason: input.lateReason,
      });
      record({ name: `submitted:${ob.id}`, at, reference: input.reference, by: input.actor, recordedAt: nowIso() });
      await clocks.refresh(`the submission of ${ob.id}`);
      return done(run, seq, `Submission of ${ob.id} recorded (${input.reference}).${describeOpenClocks(s)}`, {
        obligations: s.obligations,
      });
    }),

    correctAwareness: action(api.correctAwarenessUpdate, A.validateCorrectAwareness, async ({ actor, at, reason }) => {
      const from = s.awareAt;
      s.awareAt = new Date(at).toISOString();
      const seq = audit.record(actor, 'awareness.corrected', { from, to: s.awareAt, reason });
      const le = lawEnforcementObligation(s, run.policy());
      const existing = le && s.obligations.find((o) => o.id === le.id);
      if (le && existing?.status === 'pending') addObligation(run, le);
      await clocks.refresh(`awareness was corrected from ${from} to ${s.awareAt} (${reason})`);
      return done(run, seq, `Awareness corrected to ${s.awareAt}.${describeOpenClocks(s)}`, {
        obligations: s.obligations,
      });
    }),
  };
}
