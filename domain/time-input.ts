import { sub } from 'date-fns/sub';

// Times as a responder types them at 3 a.m.: "now", ISO 8601 ("2026-03-01T02:10:00Z",
// "2026-03-01 02:10+01:00"), or relative ("2h ago", "90 min ago", "1 day 3 hours ago").

const UNITS: Record<string, 'minutes' | 'hours' | 'days' | 'weeks' | 'seconds'> = {
  s: 'seconds',
  sec: 'seconds',
  secs: 'seconds',
  second: 'seconds',
  seconds: 'seconds',
  m: 'minutes',
  min: 'minutes',
  mins: 'minutes',
  minute: 'minutes',
  minutes: 'minutes',
  h: 'hours',
  hr: 'hours',
  hrs: 'hours',
  hour: 'hours',
  hours: 'hours',
  d: 'days',
  day: 'days',
  days: 'days',
  w: 'weeks',
  week: 'weeks',
  weeks: 'weeks',
};

export class TimeInputError extends Error {
  constructor(input: string, why: string) {
    super(
      `"${input}" is not a time I understand (${why}). Use ISO 8601 such as 2026-03-01T02:10:00Z, or a relative time such as "2h ago" or "90 min ago".`,
    );
    this.name = 'TimeInputError';
  }
}

export function parseTimeInput(input: string, now: Date): Date {
  const text = input.trim().toLowerCase();
  if (text === 'now') return now;
  const relative = /^((?:\d+(?:\.\d+)?\s*[a-z]+\s*,?\s*)+)ago$/.exec(text);
  if (relative) {
    const duration: Record<string, number> = {};
    for (const [, amount, unit] of relative[1].matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/g)) {
      const key = UNITS[unit];
      if (!key) throw new TimeInputError(input, `unknown unit "${unit}"`);
      duration[key] = (duration[key] ?? 0) + Number(amount);
    }
    // date-fns takes whole units; fractions are carried as minutes.
    const totalMinutes =
      (duration.weeks ?? 0) * 10080 +
      (duration.days ?? 0) * 1440 +
      (duration.hours ?? 0) * 60 +
      (duration.minutes ?? 0) +
      (duration.seconds ?? 0) / 60;
    return sub(now, { seconds: Math.round(totalMinutes * 60) });
  }
  const iso = text.replace(' ', 't').toUpperCase();
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(iso))
    throw new TimeInputError(input, 'not ISO 8601 nor "… ago"');
  if (/T\d{2}:\d{2}/.test(iso) && !/(Z|[+-]\d{2}:?\d{2})$/.test(iso)) {
    throw new TimeInputError(input, 'it has no time zone; add Z for UTC or an offset such as +01:00');
  }
  const parsed = new Date(iso);
  if (Number.isNaN(parsed.getTime())) throw new TimeInputError(input, 'no such date');
  return parsed;
}
