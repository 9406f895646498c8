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

/**
 * A head with the command that checks it, as mails, reports and the close print it: whoever keeps that
 * text can later show the trail was not shortened or changed before this point.
 */
export function headWithCheck(incidentId: string, head: Pick<TrailHead, 'seq' | 'hash'>): string {
  return `${formatHead(head)} — check with: incident audit ${incidentId} --verify --head ${headArgument(head)}`;
}

/**
 * The last line of every leadership mail and rendered report. Before the first append completes there
 * is no head yet; the line says so rather than vanish, so that a reader does not wonder where it went.
 */
export function trailWitnessLine(incidentId: string, head: Pick<TrailHead, 'seq' | 'hash'> | undefined): string {
  return head
    ? `Audit trail: ${headWithCheck(incidentId, head)}`
    : `Audit trail: no head recorded yet — check with: incident audit ${incidentId} --verify`;
}
