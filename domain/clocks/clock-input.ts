import { ClockInputError } from './input-error';
import { EVENT_NAMES, REGIME_IDS, type ClockEvent, type RegimeId, type RegimePack } from './types';

// What the engine refuses before it counts anything, the same for the CLI's what-if and for an event a
// responder records: each message names the field as the person wrote it and says what to do, and
// nothing is recorded or computed from input that fails here.
//
// Which events may come before awareness. Awareness is when the organisation first knew of the
// incident; a classification, a determination (materiality, NYDFS reportability), a payment, an
// authority's request, a submission, recovery and handling are all things done about an incident
// already known, so they cannot precede it. Three events can:
// - `discovered` (HIPAA): 45 CFR 164.404(a)(2) deems a breach discovered on the first day it would have
//   been known with reasonable diligence, which may be before anyone actually knew;
// - `delay-start` / `delay-end`: a delay runs on the dates of the authority's letter, and conventions.ts
//   counts a pause only from the clock's anchor, so an earlier start does no harm.

export const MAY_PRECEDE_AWARENESS: ReadonlySet<string> = new Set(['discovered', 'delay-start', 'delay-end']);

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** An ISO 8601 instant with its offset, on a date that exists (Date would roll 30 February into March). */
export function parseInstant(text: string, field: string): Date {
  const m = INSTANT.exec(text.trim());
  const fix = `write an ISO 8601 instant with its offset, e.g. 2026-03-02T10:00Z or 2026-03-02T11:00+01:00`;
  if (!m) throw new ClockInputError(field, `${field}: "${text}" is not an instant; ${fix}.`);
  const [, y, mo, d, h, mi, s] = m.map(Number);
  const day = new Date(Date.UTC(y, mo - 1, d));
  const real = day.getUTCMonth() === mo - 1 && day.getUTCDate() === d && h < 24 && mi < 60 && (s || 0) < 60;
  const at = new Date(text.trim().toUpperCase());
  if (!real || Number.isNaN(at.getTime()))
    throw new ClockInputError(field, `${field}: "${text}" is no such date; ${fix}.`);
  return at;
}

export function checkRegimeIds(ids: readonly string[], packs: readonly RegimePack[]): RegimeId[] {
  if (ids.length === 0)
    throw new ClockInputError('--regime', `--regime: name at least one regime (${knownRegimes(packs)}).`);
  for (const id of ids) {
    if (!packs.some((p) => p.id === id))
      throw new ClockInputError('--regime', `--regime: "${id}" is not a regime; use one of ${knownRegimes(packs)}.`);
  }
  return ids as RegimeId[];
}

function knownRegimes(packs: readonly RegimePack[]): string {
  const ids = packs.length ? packs.map((p) => p.id) : [...REGIME_IDS];
  return ids.join(', ');
}

/** The obligation ids a `submitted:` event may name: those the selected regimes' rules produce. */
function submittable(packs: readonly RegimePack[], regimes: readonly RegimeId[]): string[] {
  return [...new Set(packs.filter((p) => regimes.includes(p.id)).flatMap((p) => p.rules.map((r) => r.id)))];
}

function checkName(event: ClockEvent, packs: readonly RegimePack[], regimes: readonly RegimeId[]): void {
  const name = String(event.name);
  if ((EVENT_NAMES as readonly string[]).includes(name)) return;
  if (name.startsWith('submitted:')) {
    const obligation = name.slice('submitted:'.length);
    const known = submittable(packs, regimes);
    // A contract obligation is named after a customer of the registry, which only the contract pack knows.
    if (known.includes(obligation) || /^contract:[\w.-]+$/.test(obligation)) return;
    throw new ClockInputError(
      name,
      `${name}: "${obligation}" is not an obligation of the selected regimes; use submitted:<obligation> with one of ${known.join(', ') || '(none: select a regime with --regime)'}, or contract:<customer>.`,
    );
  }
  throw new ClockInputError(
    name,
    `"${name}" is not an event; use one of ${EVENT_NAMES.join(', ')}, or submitted:<obligation>.`,
  );
}

/** The event with its instants written the one way (UTC, Z); refuses what cannot have happened. */
function checkOne(
  event: ClockEvent,
  now: Date,
  packs: readonly RegimePack[],
  regimes: readonly RegimeId[],
): ClockEvent {
  checkName(event, packs, regimes);
  const name = event.name;
  const at = parseInstant(event.at, name);
  if (at.getTime() > now.getTime())
    throw new ClockInputError(
      name,
      `${name}: ${event.at} is later than now (${now.toISOString()}); record only what has happened, with the instant it happened.`,
    );
  const out: ClockEvent = { ...event, at: at.toISOString() };
  if (event.regime !== undefined && !(REGIME_IDS as readonly string[]).includes(event.regime))
    throw new ClockInputError(
      `${name}.regime`,
      `${name}.regime: "${event.regime}" is not a regime; use one of ${REGIME_IDS.join(', ')}, or leave it out to mean every regime.`,
    );
  if (name === 'materiality-determined' && !event.reason?.trim())
    throw new ClockInputError(
      `${name}.reason`,
      `${name}.reason: say why the incident was found material (reason=…, e.g. the board's vote and what it weighed); SEC Item 1.05 counts from a documented determination.`,
    );
  if (name === 'authority-request') {
    if (!event.dueAt)
      throw new ClockInputError(
        `${name}.due`,
        `${name}.due: give the deadline the authority set (due=<ISO instant>); the report it asks for is due then.`,
      );
    const due = parseInstant(event.dueAt, `${name}.due`);
    if (due.getTime() <= at.getTime())
      throw new ClockInputError(
        `${name}.due`,
        `${name}.due: ${event.dueAt} is not after the request (${event.at}); give the due instant the authority wrote.`,
      );
    out.dueAt = due.toISOString();
  }
  return out;
}

/** Each delay-end must close a delay-start of the same scope (one regime, or every regime) that came before it. */
function checkDelays(events: readonly ClockEvent[]): void {
  const delays = events
    .filter((e) => e.name === 'delay-start' || e.name === 'delay-end')
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.name === 'delay-start' ? -1 : 1));
  const open = new Map<string, number>();
  for (const e of delays) {
    const scope = e.regime ?? 'every regime';
    if (e.name === 'delay-start') open.set(scope, (open.get(scope) ?? 0) + 1);
    else if (!open.get(scope))
      throw new ClockInputError(
        'delay-end',
        `delay-end: ${e.at} (${scope}) ends no delay: no delay-start of the same regime comes before it; record the delay-start first, or correct the instant.`,
      );
    else open.set(scope, open.get(scope)! - 1);
  }
}

/** Refuses events that cannot be right; returns them with instants normalised to UTC. */
export function checkClockEvents(
  events: readonly ClockEvent[],
  context: { now: Date; packs: readonly RegimePack[]; regimes: readonly RegimeId[] },
): ClockEvent[] {
  const checked = events.map((e) => checkOne(e, context.now, context.packs, context.regimes));
  // The latest recorded awareness is the one that counts (a correction replaces the first).
  const awareness = checked.filter((e) => e.name === 'awareness').at(-1);
  if (awareness) {
    for (const e of checked) {
      if (e.name === 'awareness' || MAY_PRECEDE_AWARENESS.has(e.name)) continue;
      if (Date.parse(e.at) < Date.parse(awareness.at))
        throw new ClockInputError(
          e.name,
          `${e.name}: ${e.at} is before awareness (${awareness.at}); nothing is done about an incident before it is known. Correct the instant, or correct awareness to the earlier time.`,
        );
    }
  }
  checkDelays(checked);
  return checked;
}

export { ClockInputError };
