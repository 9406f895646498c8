// What `incident storage migrate` did, item by item: counts a person can check against the data dir, and
// every item it refused with why, so that a second run (which must copy nothing) is easy to read. One
// tally serves each destination, with the kinds of item that destination takes.

export interface ImportProblem {
  /** The local file or folder concerned. */
  item: string;
  /** What is wrong and what to do, after the item's name. */
  problem: string;
}

export type Outcome = 'copied' | 'alreadyThere';

export interface ImportSummary<K extends string, R extends string = never> {
  items: Record<K, Record<Outcome, number>>;
  rows: Record<R, number>;
  problems: ImportProblem[];
}

export class ImportTally<K extends string, R extends string = never> {
  private readonly summary: ImportSummary<K, R>;

  constructor(kinds: readonly K[], rows: readonly R[] = []) {
    this.summary = {
      items: Object.fromEntries(kinds.map((k) => [k, { copied: 0, alreadyThere: 0 }])) as ImportSummary<K, R>['items'],
      rows: Object.fromEntries(rows.map((r) => [r, 0])) as Record<R, number>,
      problems: [],
    };
  }

  count(kind: K, outcome: Outcome): void {
    this.summary.items[kind][outcome]++;
  }

  add(rows: R, n: number): void {
    this.summary.rows[rows] += n;
  }

  problem(problem: ImportProblem): void {
    this.summary.problems.push(problem);
  }

  result(): ImportSummary<K, R> {
    return structuredClone(this.summary);
  }
}
