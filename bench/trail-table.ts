// The benchmark's table: per measure, the median of its runs and their range, and beside it the median
// of the floor it is compared with and the ratio of the two medians.

export interface Stats {
  median: number;
  min: number;
  max: number;
}

export function stats(xs: number[]): Stats {
  const sorted = [...xs].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted[sorted.length - 1] };
}

export const rate = (count: number, ms: number) => count / (ms / 1000);
export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export interface Row {
  what: string;
  unit: string;
  values: number[];
  floor?: { name: string; values: number[] };
}

export function printTable(rows: Row[]): void {
  const cells = rows.map((r) => {
    const s = stats(r.values);
    const f = r.floor && stats(r.floor.values);
    return [
      r.what,
      `${fmt(s.median)} ${r.unit}`,
      `${fmt(s.min)}–${fmt(s.max)}`,
      f ? `${fmt(f.median)} ${r.floor!.name}` : '',
      f ? (s.median / f.median).toFixed(2) : '',
    ];
  });
  const head = ['measure', 'median', 'range', 'floor (median)', 'ratio'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

/** "name: value against ≥ target: met" or "…: MISSED (x % short)". */
export function atLeast(name: string, value: number, target: number, unit: string): string {
  const verdict = value >= target ? 'met' : `MISSED (${(100 * (1 - value / target)).toFixed(0)} % short)`;
  return `  ${name}: ${fmt(value)} ${unit} against ≥ ${fmt(target)} ${unit}: ${verdict}`;
}

/** The extra time checkpoints cost appends, from the median rates with and without, against a ceiling. */
export function overheadVerdict(name: string, plainRate: number, signedRate: number, ceilingPercent: number): string {
  const percent = 100 * (plainRate / signedRate - 1);
  const verdict =
    percent <= ceilingPercent ? 'met' : `MISSED (over by ${(percent - ceilingPercent).toFixed(0)} points)`;
  return `  ${name}: ${percent.toFixed(0)} % against ≤ ${ceilingPercent} %: ${verdict}`;
}
