import type { ClockRequest } from '../domain/clocks/incident-clocks';
import { computeClocks } from '../domain/clocks/engine';
import { ALL_PACKS } from '../domain/clocks/registry';
import type { ClockOutcome } from '../domain/clocks/types';

// The legal-clock engine, run for the workflow. It is an activity rather than workflow code so that what it
// answered is in the incident's history: a later release of the holiday data or of a rule changes the
// deadlines of new computations, never those a running incident replays.

export function legalClockActivities() {
  return {
    async computeLegalClocks(request: ClockRequest): Promise<ClockOutcome> {
      return computeClocks(ALL_PACKS, request);
    },
  };
}
