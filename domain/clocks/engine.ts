import { ClockInputError } from './input-error';
import type {
  ClockEvent,
  ClockFacts,
  ClockObligation,
  ClockOptions,
  ClockOutcome,
  RegimeId,
  RegimePack,
} from './types';

// One engine for the three doors (the workflow, `incident clocks`, the reports): it runs the packs the
// incident's regimes name, each in its legal zone, and hands back every deadline in one order. It
// checks nothing itself; clock-input.ts refuses bad input before anything reaches here.

export interface ClockInput {
  regimes: RegimeId[];
  events: ClockEvent[];
  facts: ClockFacts;
  options: ClockOptions;
}

/** The zone a regime's deadlines are read in: the organisation's choice, else the regime's own default. */
export function regimeZone(pack: RegimePack, options: ClockOptions): string {
  return options.zones?.[pack.id] ?? pack.defaultZone;
}

export function computeClocks(packs: readonly RegimePack[], input: ClockInput): ClockOutcome {
  const obligations: ClockObligation[] = [];
  const undecided: ClockOutcome['undecided'] = [];
  // A regime named twice (a script that concatenates lists) must not produce its obligations twice.
  for (const id of [...new Set(input.regimes)]) {
    const pack = packs.find((p) => p.id === id);
    if (!pack)
      throw new ClockInputError(
        'regimes',
        `regimes: no pack is registered for "${id}"; use one of ${packs.map((p) => p.id).join(', ')}.`,
      );
    const outcome = pack.evaluate({
      events: input.events,
      facts: input.facts,
      options: input.options,
      zone: regimeZone(pack, input.options),
    });
    obligations.push(...outcome.obligations);
    undecided.push(...outcome.undecided);
  }
  return { obligations: obligations.sort(byDueThenId), undecided };
}

// Packs may write instants with different offsets, so the order is by instant, not by string.
function byDueThenId(a: ClockObligation, b: ClockObligation): number {
  const diff = Date.parse(a.dueAt) - Date.parse(b.dueAt);
  if (diff !== 0) return diff;
  return a.obligation < b.obligation ? -1 : a.obligation > b.obligation ? 1 : 0;
}
