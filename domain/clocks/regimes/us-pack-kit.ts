import { TZDate } from '@date-fns/tz';
import { paused, type Pause } from '../conventions';
import type { ClockEvent, ContractCustomer, Convention, EventName, RegimeId } from '../types';

export { latestEvent, obligation, rule, type ObligationSpec } from './obligation-kit';

// What the SEC, HIPAA, NYDFS and LGPD packs share beyond obligation-kit.ts: the events and delays that
// name a regime, paused timings, the calendar year's end and the customer registry.

/** Events that may repeat and name a regime (information-available, delays): this regime's or everyone's. */
export function eventsFor(events: ClockEvent[], name: EventName, regime: RegimeId): ClockEvent[] {
  return events
    .filter((e) => e.name === name && (e.regime === undefined || e.regime === regime))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** A granted delay with the document that granted it, for the sentences of `why`. */
export interface Delay extends Pause {
  reference?: string;
}

/**
 * The regime's delays in time order: each delay-start opens one, the next delay-end closes it. A second
 * start while one is open is the same suspension restated (an extension letter), not a new one.
 */
export function delaysFor(events: ClockEvent[], regime: RegimeId): Delay[] {
  // At the same instant an end comes first: an extension granted as the first period lapses follows it.
  const rank = (e: ClockEvent) => (e.name === 'delay-end' ? 0 : 1);
  const marks = [...eventsFor(events, 'delay-start', regime), ...eventsFor(events, 'delay-end', regime)].sort(
    (a, b) => Date.parse(a.at) - Date.parse(b.at) || rank(a) - rank(b),
  );
  const delays: Delay[] = [];
  let open: Delay | undefined;
  for (const mark of marks) {
    if (mark.name === 'delay-start' && !open) {
      open = { start: new Date(mark.at), reference: mark.reference };
      delays.push(open);
    } else if (mark.name === 'delay-end' && open) {
      open.end = new Date(mark.at);
      open = undefined;
    }
  }
  return delays;
}

export function describeDelay(d: Delay): string {
  const ref = d.reference ? ` (${d.reference})` : '';
  const end = d.end ? `lifted ${d.end.toISOString()}` : 'not lifted yet';
  return `delay granted ${d.start.toISOString()}${ref}, ${end}`;
}

export interface Timing {
  due: Date;
  convention: Convention;
  pausedUntilDelayEnd: boolean;
  why: string[];
}

/**
 * A clock that stands still during the delays (HIPAA 164.412). While a delay that matters is open the
 * deadline is unknown; the unpaused due instant is kept so that reminders still have a date, and the
 * obligation says it is paused.
 */
export function pausedTiming(from: Date, due: Date, convention: Convention, delays: Delay[], citation: string): Timing {
  const shifted = paused(from, due, delays);
  if (shifted === undefined) {
    const open = delays.filter((d) => !d.end).map(describeDelay);
    return {
      due,
      convention: 'paused',
      pausedUntilDelayEnd: true,
      why: [`${citation}: ${open.join('; ')}; the deadline counts on from the delay's end`],
    };
  }
  if (shifted.getTime() === due.getTime()) return { due, convention, pausedUntilDelayEnd: false, why: [] };
  const spans = delays.filter((d) => d.end).map(describeDelay);
  return {
    due: shifted,
    convention: 'paused',
    pausedUntilDelayEnd: false,
    why: [`${citation}: ${spans.join('; ')}; the clock stood still, moving the deadline from ${due.toISOString()}`],
  };
}

/**
 * The last day of the anchor's calendar year in `zone`, at noon there (any instant of that day does for
 * counting calendar days from it). Belongs with the conventions; the lead may move it there.
 */
export function lastDayOfYear(anchor: Date, zone: string): Date {
  const year = new TZDate(anchor.getTime(), zone).getFullYear();
  return new Date(new TZDate(year, 11, 31, 12, 0, 0, zone).getTime());
}

/** Found by id, name or a contact address, case-insensitively: the assessment names customers loosely. */
export function findCustomer(
  registry: ContractCustomer[],
  named: { name: string; email?: string },
): ContractCustomer | undefined {
  const norm = (s: string) => s.trim().toLowerCase();
  const keys = [named.name, named.email].filter((k): k is string => !!k).map(norm);
  return registry.find((c) => [c.id, c.name, ...c.contacts].some((k) => keys.includes(norm(k))));
}
