// What `incident storage migrate` did, item by item: counts a person can check against the data dir, and
// every item it refused with why, so that a second run (which must copy nothing) is easy to read.

export interface ImportProblem {
  /** The local file concerned. */
  item: string;
  /** What is wrong and what to do, after the file's name. */
  problem: string;
}

export type ItemKind = 'trails' | 'ledger' | 'intents' | 'manifests';
export type Outcome = 'copied' | 'alreadyThere';

export interface ImportSummary {
  items: Record<ItemKind, Record<Outcome, number>>;
  rows: { entries: number; checkpoints: number };
  problems: ImportProblem[];
}

export class ImportTally {
  private readonly summary: ImportSummary = {
    items: {
      trails: { copied: 0, alreadyThere: 0 },
      ledger: { copied: 0, alreadyThere: 0 },
      intents: { copied: 0, alreadyThere: 0 },
      manifests: { copied: 0, alreadyThere: 0 },
    },
    rows: { entries: 0, checkpoints: 0 },
    problems: [],
  };

  count(kind: ItemKind, outcome: Outcome): void {
    this.summary.items[kind][outcome]++;
  }

  add(rows: keyof ImportSummary['rows'], n: number): void {
    this.summary.rows[rows] += n;
  }

  problem(problem: ImportProblem): void {
    this.summary.problems.push(problem);
  }

  result(): ImportSummary {
    return structuredClone(this.summary);
  }
}
