import type { Posted } from './storm-load';

// What one step of the storm gives for one target: POST → senior alert accepted, and whether the target
// kept up with the arrivals or let a backlog grow.

/** After the last POST, a target that keeps up has (nearly) nothing outstanding this much later. */
export const SETTLE_MS = 5_000;

export interface Figures {
  sent: number;
  delivered: number;
  /** Milliseconds; Infinity when the rank falls on a mail that never came within the drain time. */
  p50: number;
  p99: number;
  max: number;
  /** Senior alerts per second accepted while the alerts arrived (from the first POST to the last). */
  completedPerSecond: number;
  /** Senior alerts not yet accepted SETTLE_MS after the last POST. */
  outstandingAfterSettle: number;
  /** Fewer than one second's worth of arrivals outstanding after SETTLE_MS: no backlog grew. */
  sustained: boolean;
  failures: number;
  firstFailure?: string;
  /** CPU the target's processes used from the first POST until the drain ended, per new incident. */
  cpuMsPerIncident?: { node: number; server: number };
}

export const rank = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

export function figures(posted: Posted, accepted: Map<string, number>, perSecond: number): Figures {
  const latencies: number[] = [];
  let inWindow = 0;
  let outstanding = 0;
  for (const [tag, at] of posted.at) {
    const done = accepted.get(tag);
    latencies.push(done === undefined ? Infinity : done - at);
    if (done !== undefined && done <= posted.lastAt) inWindow++;
    if (done === undefined || done > posted.lastAt + SETTLE_MS) outstanding++;
  }
  latencies.sort((a, b) => a - b);
  const window = Math.max(1, posted.lastAt - posted.firstAt) / 1000;
  return {
    sent: posted.at.size,
    delivered: latencies.filter(Number.isFinite).length,
    p50: rank(latencies, 50),
    p99: rank(latencies, 99),
    max: latencies[latencies.length - 1],
    completedPerSecond: inWindow / window,
    outstandingAfterSettle: outstanding,
    sustained: outstanding < perSecond,
    failures: posted.failures,
    firstFailure: posted.firstFailure,
  };
}

export function ms(x: number): string {
  if (!Number.isFinite(x)) return 'never';
  return x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`;
}

export function ratio(system: number, floor: number): string {
  if (!Number.isFinite(system)) return '∞';
  return `${(system / floor).toFixed(2)}×`;
}
