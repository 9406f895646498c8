// Elapsed hours live apart from the other conventions so that the workflow sandbox, which counts the
// policy's 24 h / 72 h clocks through domain/deadlines.ts, never bundles the holiday calendars.

/** The instant `hours` of elapsed time after the anchor: a daylight-saving change never moves it. */
export function afterHours(anchor: Date, hours: number): Date {
  if (!Number.isFinite(hours)) throw new RangeError(`hours must be a finite number, got ${hours}`);
  return new Date(anchor.getTime() + hours * 3_600_000);
}
