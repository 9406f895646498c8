import { parseFacts } from './facts';
import { ClockInputError } from './input-error';
import type { ClockFacts } from './types';

// Facts a responder records on an incident. The organisation's own settings (legal zones, Member State,
// DORA entity type) are the worker's configuration, the same for every incident, so they are refused here.

export function parseIncidentFacts(texts: readonly string[]): ClockFacts {
  const { facts, options } = parseFacts(texts);
  const settings = Object.keys(options);
  if (settings.length)
    throw new ClockInputError(
      settings[0],
      `${settings.join(', ')} is the organisation's setting, the same for every incident: set it in the worker's configuration (policy.clocks), not on one incident.`,
    );
  return facts;
}
