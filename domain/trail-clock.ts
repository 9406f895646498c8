import type { AppendedHead } from './audit-entry';

// A trail whose timestamps come from a wrong clock is weak evidence: each append compares the worker's
// clock with Temporal's, and a gap over the worker's limit (trail.maxClockSkewSeconds) stays on the
// incident as a problem until an append finds the clocks agreeing again. No imports: workflow code uses it.

export const CLOCK_SKEW_PROBLEM = 'trail:clock-skew';

function spoken(seconds: number): string {
  const s = Math.abs(seconds);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

export function clockSkewMessage(skew: NonNullable<AppendedHead['clockSkew']>, seq: number): string {
  const direction = skew.gapSeconds > 0 ? 'ahead of' : 'behind';
  return `At audit seq ${seq} the worker's clock was ${spoken(skew.gapSeconds)} ${direction} Temporal's (worker ${skew.workerAt}, Temporal ${skew.temporalAt}; limit ${spoken(skew.limitSeconds)}): the trail's timestamps are weak evidence until the worker's clock is fixed (NTP).`;
}
