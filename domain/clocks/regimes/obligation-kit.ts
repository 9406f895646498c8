import type { ClockEvent, ClockObligation, Convention, EventName, RegimeId, RuleRef } from '../types';

// What every pack of this folder needs besides the law itself (the US packs' delays are in us-pack-kit.ts): finding its anchor events and turning a
// computed instant into the serialisable ClockObligation the engine, the workflow and the reports share.

/**
 * The event of that name that counts. A correction is recorded as a new event of the same name, so the one
 * recorded last wins even when its instant is earlier (awareness corrected backwards).
 */
export function latestEvent<E extends ClockEvent>(events: readonly E[], name: EventName): E | undefined {
  for (let i = events.length - 1; i >= 0; i--) if (events[i].name === name) return events[i];
  return undefined;
}

/** Every event of a name that may repeat (authority-request), in the order recorded. */
export function eventsNamed(events: ClockEvent[], name: EventName): ClockEvent[] {
  return events.filter((e) => e.name === name);
}

export function instantOf(event: ClockEvent): Date {
  return new Date(event.at);
}

/** "2026-03-28T09:00:00.000Z": UTC in `why` so that a sentence reads the same in every zone. */
export function utc(instant: Date): string {
  return instant.toISOString();
}

export function rule(id: string, citation: string, appliesFrom: string, version = '1'): RuleRef {
  return { id, version, citation, appliesFrom };
}

export interface ObligationSpec {
  regime: RegimeId;
  /** Defaults to rule.id; differs when one rule yields several obligations (sec-8k-amendment-2). */
  obligation?: string;
  title: string;
  recipient: string;
  due: Date;
  zone: string;
  convention: Convention;
  rule: RuleRef;
  anchor: { event: EventName; at: Date | string };
  why: string[];
  roles: string[];
  lateBecause?: string;
  pausedUntilDelayEnd?: boolean;
  reminderOffsetsMinutes?: number[];
}

export function obligation(spec: ObligationSpec): ClockObligation {
  const built: ClockObligation = {
    regime: spec.regime,
    obligation: spec.obligation ?? spec.rule.id,
    title: spec.title,
    recipient: spec.recipient,
    dueAt: spec.due.toISOString(),
    zone: spec.zone,
    convention: spec.convention,
    rule: spec.rule,
    anchor: { event: spec.anchor.event, at: new Date(spec.anchor.at).toISOString() },
    why: spec.why,
    roles: spec.roles,
  };
  if (spec.lateBecause !== undefined) built.lateBecause = spec.lateBecause;
  if (spec.pausedUntilDelayEnd) built.pausedUntilDelayEnd = true;
  if (spec.reminderOffsetsMinutes !== undefined) built.reminderOffsetsMinutes = spec.reminderOffsetsMinutes;
  return built;
}
