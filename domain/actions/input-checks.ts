import { ActionRefused } from '../action-refused';
import { findSystem, SYSTEM_NAME_PATTERN, type IncidentState } from '../incident';

// The checks every responder action's input goes through, each refusing with a message for a person at
// 3 a.m.: what was wrong and what to do instead.

/** Refuses the action; the message goes to the person who asked. */
export const refuse = (message: string): never => {
  throw new ActionRefused(message);
};

export const MAX_TEXT = 10_000;
export const MAX_LINE = 500;
export const EMAIL = /^[^\s@<>(),;:"[\]]+@[^\s@<>(),;:"[\]]+\.[^\s@<>(),;:"[\]]+$/;
/** Clocks of hosts disagree a little; an awareness time this far ahead is still accepted as "now". */
export const CLOCK_SKEW_MS = 5 * 60_000;

export interface ActorInput {
  actor: string;
}

/** The trimmed text; refused when required and missing, when not text, or when longer than `max`. */
export function text(value: unknown, field: string, { required = true, max = MAX_TEXT } = {}): string | undefined {
  if (value === undefined || value === null || value === '') {
    if (required) refuse(`${field} is required.`);
    return undefined;
  }
  if (typeof value !== 'string') return refuse(`${field} must be text, not ${typeof value}.`);
  if (value.trim() === '') return required ? refuse(`${field} is required.`) : undefined;
  if (value.length > max) refuse(`${field} is too long (${value.length} characters; at most ${max}).`);
  return value.trim();
}

/** The value, when it is one of `allowed`; refused otherwise, listing them. */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    return refuse(
      `${field} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)?.slice(0, 60) ?? 'nothing'}).`,
    );
  }
  return value as T;
}

/** The time in UTC ISO-8601; refused when malformed, before 2000, or (with `notFuture`) ahead of now. */
export function time(value: unknown, field: string, now: Date, { notFuture = true } = {}): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) {
    return refuse(
      `${field} must be an ISO-8601 time such as 2026-03-01T02:10:00Z (got ${JSON.stringify(value)?.slice(0, 60) ?? 'nothing'}).`,
    );
  }
  const t = new Date(value);
  if (notFuture && t.getTime() > now.getTime() + CLOCK_SKEW_MS)
    refuse(`${field} ${value} is in the future; give the time it actually happened.`);
  if (t.getUTCFullYear() < 2000) refuse(`${field} ${value} is before the year 2000; check the date.`);
  return t.toISOString();
}

export function checkActor(input: unknown): string {
  if (typeof input !== 'object' || input === null) return refuse('The action needs its input as an object.');
  const actor = text((input as ActorInput).actor, 'actor (who is acting)', { max: 200 });
  return actor!;
}

export function checkSystemName(name: unknown): string {
  if (typeof name !== 'string' || !SYSTEM_NAME_PATTERN.test(name)) {
    return refuse(
      `System name ${JSON.stringify(name)?.slice(0, 80)} is not valid: use letters, digits and . _ : - (at most 128), as in the systems configuration.`,
    );
  }
  return name;
}

/** A closed incident takes no further action: new activity belongs to a new incident. */
export function checkOpen(state: IncidentState): void {
  if (state.closedAt) refuse(`Incident ${state.incidentId} is closed; open a new incident for new activity.`);
}

/** The incident's system of that name; refused, saying how to add it, when the incident has none. */
export function knownSystem(state: IncidentState, name: unknown) {
  const system = checkSystemName(name);
  const found = findSystem(state, system);
  if (!found)
    refuse(
      `Incident ${state.incidentId} has no system "${system}". Its systems: ${state.systems.map((s) => s.name).join(', ') || 'none'}. Add it with: incident add-system ${state.incidentId} ${system}`,
    );
  return found!;
}
