import { checkClockEvents, checkRegimeIds } from './clock-input';
import { checkClockOptions } from './clock-options';
import type { ClockInput } from './engine';
import { checkClockFacts } from './facts';
import type { RegimePack } from './types';

// A whole what-if request, checked as the engine will read it. Apart from the event checks because the
// organisation's settings need the holiday calendars, which the workflow's validators must not load.

/** Returns the request with its events normalised; throws ClockInputError naming the field. */
export function checkClockInput(packs: readonly RegimePack[], input: ClockInput, now: Date): ClockInput {
  const regimes = checkRegimeIds(input.regimes, packs);
  const events = checkClockEvents(input.events, { now, packs, regimes });
  checkClockFacts(input.facts);
  checkClockOptions(input.options);
  return { ...input, regimes, events };
}
