import * as A from '../../../domain/actions';
import * as api from '../../incident-api';
import { action, done } from '../actions';
import type { IncidentRun } from '../incident-run';

// Actions that only add to the record: notes, who conducts the root-cause analysis, and its conclusions.

export function recordActions(run: IncidentRun) {
  const { s, audit, nowIso } = run;

  return {
    note: action(api.noteUpdate, A.validateNote, async ({ actor, text }) =>
      done(run, audit.record(actor, 'note.added', { note: text }), 'Note added.'),
    ),

    assignRca: action(api.assignRcaUpdate, A.validateAssignRca, async ({ actor, to }) => {
      s.rcaAssignedTo = to;
      const seq = audit.record(actor, 'rca.assigned', { to });
      return done(
        run,
        seq,
        `Root-cause analysis assigned to ${to === 'law-enforcement' ? 'law enforcement' : 'internal staff'}.`,
      );
    }),

    conclusions: action(api.conclusionsUpdate, A.validateConclusions, async (input) => {
      s.conclusions = {
        rootCause: input.rootCause,
        contributingFactors: input.contributingFactors ?? [],
        actions: input.actions ?? [],
        conductedBy: input.conductedBy ?? s.rcaAssignedTo,
        by: input.actor,
        at: nowIso(),
      };
      return done(
        run,
        audit.record(input.actor, 'rca.concluded', { ...s.conclusions }),
        'Root-cause conclusions recorded.',
      );
    }),
  };
}
