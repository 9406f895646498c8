// Times as people read them: in the policy's time zone with its UTC offset, so that a reader in Paris and
// an auditor elsewhere see the same instant without ambiguity around daylight-saving changes.

// Building a formatter loads the zone's rules, which costs far more than formatting with it, and a
// worker formats the same few zones for every mail and calendar invite: one formatter per zone, kept.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function formatInZone(iso: string, timeZone: string): string {
  const parts = formatterFor(timeZone).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const offset = get('timeZoneName').replace('GMT', 'UTC') || 'UTC';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')} ${offset === 'UTC' ? 'UTC+00:00' : offset} (${timeZone})`;
}

/** The instant in UTC to the second, as ISO 8601 ("2026-03-31T09:00:00Z"): the line every reader can check. */
export function formatUtc(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The same instant in a table cell: the zone is named once in the heading, the offset stays on each line. */
export function formatShort(iso: string, timeZone: string): string {
  return formatInZone(iso, timeZone).replace(/ UTC([+-]\d{2}:\d{2}) \(.*\)$/, ' $1');
}
