// The counting conventions of issue 13, section 3: every legal deadline is computed here and nowhere else,
// so that a rule names its convention and a reviewer checks one implementation of each. Node-only (the
// holiday data is large): the engine runs in activities and the CLI, never in the workflow sandbox.
import { TZDate } from '@date-fns/tz';
import { addDays } from 'date-fns/addDays';
import { addMonths } from 'date-fns/addMonths';
import { endOfDay } from 'date-fns/endOfDay';
import Holidays from 'date-holidays';

export { afterHours } from './hours';

/** Where business days are counted: the country's (and region's) public holidays, days read in `zone`. */
export interface Calendar {
  country: string;
  region?: string;
  zone: string;
}

/** A configuration names a country or region for which no maintained holiday calendar exists. */
export class CalendarMissingError extends Error {
  constructor(country: string, region?: string) {
    const where = region ? `country '${country}' region '${region}'` : `country '${country}'`;
    super(
      `No public-holiday calendar for ${where}: name an ISO 3166-1 alpha-2 country (and ISO 3166-2 ` +
        `subdivision) known to date-holidays, e.g. FR, US, BR, or US with region NY.`,
    );
    this.name = 'CalendarMissingError';
  }
}

/** 23:59:59.999 in `zone` of the Nth day after the anchor's date there (HIPAA 60 days, NYDFS 30 days). */
export function endOfCalendarDays(anchor: Date, days: number, zone: string): Date {
  wholeCount('days', days);
  return utc(endOfDay(addDays(new TZDate(anchor.getTime(), zone), days)));
}

/**
 * End of the day with the anchor's date N months later, or of that month's last day when it has no such
 * date (Council Regulation 1182/71 Art. 3(2)(c)); date-fns' addMonths clamps 31 January to 28/29 February.
 */
export function endOfMonthsAfter(anchor: Date, months: number, zone: string): Date {
  wholeCount('months', months);
  return utc(endOfDay(addMonths(new TZDate(anchor.getTime(), zone), months)));
}

/**
 * The Nth working day after the anchor's local date, ending at `cutoff` ('HH:MM' local, e.g. EDGAR's
 * 17:30) or at 23:59:59.999 local. The anchor's own day never counts, whatever the hour.
 */
export function afterBusinessDays(anchor: Date, days: number, calendar: Calendar, cutoff?: string): Date {
  wholeCount('days', days);
  const hm = cutoff === undefined ? undefined : parseTime(cutoff);
  let day = new TZDate(anchor.getTime(), calendar.zone);
  for (let counted = 0; counted < days;) {
    day = addDays(day, 1);
    if (workingDay(day, calendar)) counted += 1;
  }
  return hm ? atLocalTime(day, hm) : utc(endOfDay(day));
}

/** Neither a Saturday, a Sunday nor a public holiday (as observed) of the calendar, in its zone. */
export function isWorkingDay(instant: Date, calendar: Calendar): boolean {
  return workingDay(new TZDate(instant.getTime(), calendar.zone), calendar);
}

/**
 * DORA Delegated Regulation 2025/301 Art. 5(4) relief: a limit falling on a weekend or public holiday
 * moves to `time` ('12:00') local on the next working day; a limit on a working day stays as it is.
 */
export function nextWorkingDayAt(instant: Date, calendar: Calendar, time: string): Date {
  const hm = parseTime(time);
  let day = new TZDate(instant.getTime(), calendar.zone);
  if (workingDay(day, calendar)) return instant;
  do day = addDays(day, 1);
  while (!workingDay(day, calendar));
  return atLocalTime(day, hm);
}

/** The candidate with the earliest instant; on a tie the first listed, so rule order decides. */
export function earliestOf<T extends { at: Date }>(candidates: T[]): T {
  if (candidates.length === 0) throw new RangeError('earliestOf needs at least one candidate');
  return candidates.reduce((best, c) => (c.at.getTime() < best.at.getTime() ? c : best));
}

/** A granted delay (law enforcement, national security); no `end` while it has not been lifted. */
export interface Pause {
  start: Date;
  end?: Date;
}

/**
 * The due instant once the clock has stood still during the pauses: only time from the anchor on counts,
 * overlapping pauses count once, and a pause starting at or after the (already shifted) due instant has
 * no effect. Undefined while a pause that matters is still open: nobody can know the deadline yet.
 */
export function paused(anchor: Date, due: Date, pauses: Pause[]): Date | undefined {
  const from = anchor.getTime();
  const spans = pauses
    .map((p) => {
      if (p.end && p.end.getTime() < p.start.getTime()) {
        throw new RangeError(`a pause ends (${p.end.toISOString()}) before it starts (${p.start.toISOString()})`);
      }
      return { start: Math.max(p.start.getTime(), from), end: p.end ? p.end.getTime() : Infinity };
    })
    .filter((s) => s.end > s.start || s.end === Infinity)
    .sort((a, b) => a.start - b.start);
  let shifted = due.getTime();
  let coveredUntil = from;
  for (const s of spans) {
    const start = Math.max(s.start, coveredUntil);
    if (start >= shifted) break;
    if (s.end === Infinity) return undefined;
    if (s.end <= start) continue;
    shifted += s.end - start;
    coveredUntil = s.end;
  }
  return new Date(shifted);
}

/** Whether date-holidays has a calendar for the country (and region), so a configuration can be refused. */
export function knownCalendar(country: string, region?: string): boolean {
  const countries = directory().getCountries();
  if (!Object.hasOwn(countries, country)) return false;
  if (region === undefined) return true;
  return Object.hasOwn(directory().getStates(country) ?? {}, regionCode(country, region));
}

// ---- holiday calendars ------------------------------------------------------------------------------

interface HolidayBook {
  holidays: Holidays;
  federalInLieu: boolean;
  years: Map<number, Set<string>>;
}

let registry: Holidays | undefined;
const books = new Map<string, HolidayBook>();

function directory(): Holidays {
  registry ??= new Holidays();
  return registry;
}

// Constructing date-holidays parses the country's rules, which is slow: one instance per calendar, built
// on first use, then one set of public-holiday dates per year.
function book(calendar: Calendar): HolidayBook {
  const { country, region } = calendar;
  const key = `${country}|${region ?? ''}`;
  let b = books.get(key);
  if (!b) {
    if (!knownCalendar(country, region)) throw new CalendarMissingError(country, region);
    const holidays = region ? new Holidays(country, regionCode(country, region)) : new Holidays(country);
    // 5 U.S.C. 6103(b) moves every federal holiday falling on a Saturday to the Friday before and one on a
    // Sunday to the Monday after; date-holidays 3.37 omits this for Veterans Day (11 Nov 2028 → Fri 10).
    b = { holidays, federalInLieu: country === 'US' && region === undefined, years: new Map() };
    books.set(key, b);
  }
  return b;
}

function publicDates(b: HolidayBook, year: number): Set<string> {
  let set = b.years.get(year);
  if (set) return set;
  set = new Set();
  const prefix = `${year}-`;
  // A substitute can fall in the year before its holiday (Fri 31 Dec 2027 for Sat 1 Jan 2028).
  for (const y of [year - 1, year, year + 1]) {
    for (const h of b.holidays.getHolidays(y)) {
      if (h.type !== 'public') continue;
      const span = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / 86_400_000));
      for (let i = 0; i < span; i++) {
        const date = plusDays(h.date.slice(0, 10), i);
        if (date.startsWith(prefix)) set.add(date);
        if (b.federalInLieu && !h.substitute) {
          const inLieu = inLieuOf(date);
          if (inLieu?.startsWith(prefix)) set.add(inLieu);
        }
      }
    }
  }
  b.years.set(year, set);
  return set;
}

function workingDay(day: TZDate, calendar: Calendar): boolean {
  const weekday = day.getDay();
  if (weekday === 0 || weekday === 6) return false;
  return !publicDates(book(calendar), day.getFullYear()).has(isoDate(day));
}

function inLieuOf(date: string): string | undefined {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  if (weekday === 6) return plusDays(date, -1);
  if (weekday === 0) return plusDays(date, 1);
  return undefined;
}

function plusDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

function isoDate(day: TZDate): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

function regionCode(country: string, region: string): string {
  return region.startsWith(`${country}-`) ? region.slice(country.length + 1) : region;
}

function atLocalTime(day: TZDate, [hours, minutes]: [number, number]): Date {
  const zone = day.timeZone ?? 'UTC';
  return utc(new TZDate(day.getFullYear(), day.getMonth(), day.getDate(), hours, minutes, zone));
}

function parseTime(time: string): [number, number] {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!m) throw new RangeError(`a local time must be 'HH:MM' (24 h), got '${time}'`);
  return [Number(m[1]), Number(m[2])];
}

function wholeCount(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${what} must be a whole number ≥ 0, got ${n}`);
}

function utc(d: Date): Date {
  return new Date(d.getTime());
}
