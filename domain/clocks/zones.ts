// Whether a name is an IANA time zone, for the policy, the clock settings and the facts alike. Kept apart
// from the counting conventions so that the workflow's validators can use it without the holiday data.

let canonicalZones: Set<string> | undefined;

/**
 * An IANA zone name Intl knows ("Europe/Paris", "UTC"); a bare offset is refused, since it ignores DST.
 * The canonical names are checked against a list, which is cheap; building a formatter for the zone, which
 * also accepts aliases such as UTC, is slow on its first use, so it is left for the names the list lacks.
 */
export function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  canonicalZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (canonicalZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
