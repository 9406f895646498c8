// A head of the trail as people see and type it: in mails, reports, `incident show` and `--head`.
// No imports: the CLI's renderer and workflow code use it.

/** A head of the trail: the seq of its last entry and that entry's hash (a witness may give a prefix). */
export interface TrailHead {
  seq: number;
  hash: string;
  /** When the head was recorded (Temporal's workflow time), for the message. */
  at?: string;
}

/** A head as a person types it from a mail: `37:4ebaf5b6…` (at least 8 hex digits of the hash). */
export function parseHeadArgument(text: string): TrailHead | undefined {
  const m = /^(\d+):([0-9a-fA-F]{8,64})(?:…|\.\.\.)?$/.exec(text.trim());
  if (!m) return undefined;
  const seq = Number(m[1]);
  return seq >= 1 ? { seq, hash: m[2].toLowerCase() } : undefined;
}

/** How a head is shown to people, in mails, reports and the CLI: `audit seq 37, head 4ebaf5b6c1d2e3f4…`. */
export function formatHead(head: Pick<TrailHead, 'seq' | 'hash'>): string {
  return `audit seq ${head.seq}, head ${head.hash.slice(0, 16)}…`;
}

/** The argument that checks a head shown by formatHead: `37:4ebaf5b6c1d2e3f4`. */
export function headArgument(head: Pick<TrailHead, 'seq' | 'hash'>): string {
  return `${head.seq}:${head.hash.slice(0, 16)}`;
}
