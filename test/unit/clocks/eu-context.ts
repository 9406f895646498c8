import type {
  ClockEvent,
  ClockFacts,
  ClockObligation,
  ClockOptions,
  ClockOutcome,
  RegimeContext,
} from '../../../domain/clocks/types';

// Builders for the EU and contract pack tables: a context in Paris time unless a row says otherwise.

export const PARIS = 'Europe/Paris';

export function ctx(
  events: ClockEvent[],
  facts: ClockFacts = {},
  options: ClockOptions = {},
  zone: string = PARIS,
): RegimeContext {
  return { events, facts, options, zone };
}

export function ev(name: ClockEvent['name'], at: string, extra: Partial<ClockEvent> = {}): ClockEvent {
  return { name, at, ...extra };
}

export function only(outcome: ClockOutcome, id: string): ClockObligation {
  const found = outcome.obligations.filter((o) => o.obligation === id);
  if (found.length !== 1)
    throw new Error(`expected one ${id} among ${outcome.obligations.map((o) => o.obligation).join(', ') || 'none'}`);
  return found[0];
}

export function ids(outcome: ClockOutcome): string[] {
  return outcome.obligations.map((o) => o.obligation);
}

export function questions(outcome: ClockOutcome): string[] {
  return outcome.undecided.map((u) => u.question);
}
