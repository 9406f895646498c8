import { describeTimeLeft, DUE_SOON_HOURS, URGENCY_RANK, urgencyOf, type Urgency } from './deadlines';
import type { Obligation } from './incident';
import { compose, type MailMessage, type Row } from './mail-compose';
import { formatInZone, formatUtc } from './time-format';

// The daily digest to leadership: every open obligation of every open incident in one mail, so that a
// reader who acts from the mail alone sees what is owed, to whom and by when, the most urgent first.

/** What the digest needs of one open incident (its state as the incident answers the state query). */
export interface DigestIncident {
  incidentId: string;
  title: string;
  severity: string;
  obligations: Obligation[];
}

export type DigestUrgency = Urgency;

export interface DigestEntry {
  incidentId: string;
  incidentTitle: string;
  severity: string;
  obligation: string;
  owedTo: string;
  dueAt: string;
  urgency: DigestUrgency;
  /** Paused by a granted delay: due when the delay ends. */
  paused: boolean;
}

export { DUE_SOON_HOURS, urgencyOf };

/** The open (pending) obligations, overdue first, then nearest deadline first. */
export function digestEntries(incidents: DigestIncident[], now: Date): DigestEntry[] {
  const entries = incidents.flatMap((i) =>
    i.obligations
      .filter((o) => o.status === 'pending')
      .map((o): DigestEntry => ({
        incidentId: i.incidentId,
        incidentTitle: i.title,
        severity: i.severity,
        obligation: o.title,
        owedTo: o.owedTo,
        dueAt: o.dueAt,
        urgency: urgencyOf(o.dueAt, now),
        paused: Boolean(o.clock?.pausedUntilDelayEnd),
      })),
  );
  return entries.sort(
    (a, b) =>
      URGENCY_RANK[a.urgency] - URGENCY_RANK[b.urgency] ||
      Date.parse(a.dueAt) - Date.parse(b.dueAt) ||
      a.incidentId.localeCompare(b.incidentId),
  );
}

const LABEL: Record<DigestUrgency, string> = { overdue: 'OVERDUE', 'due-soon': 'DUE SOON', pending: 'pending' };

function entryRow(e: DigestEntry, timeZone: string, now: Date): Row {
  const utc = formatUtc(e.dueAt);
  return [
    `${LABEL[e.urgency]} (${describeTimeLeft(e.dueAt, now)})`,
    [
      `${e.incidentId} [${e.severity}] "${e.incidentTitle}": ${e.obligation}`,
      `owed to ${e.owedTo}`,
      `due ${formatInZone(e.dueAt, timeZone)} (${utc} UTC)${e.paused ? ', paused until the granted delay ends' : ''}`,
    ].join(', '),
  ];
}

/** The local date of `now` in the zone, YYYY-MM-DD: one digest per day, whatever the hour it runs. */
export function digestDate(now: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** The digest mail, keyed `digest/<date>` so a retried run never sends it twice; none when nothing is open. */
export function digestMail(
  incidents: DigestIncident[],
  opts: { now: Date; timeZone: string; to: string[] },
): MailMessage | undefined {
  const { now, timeZone, to } = opts;
  const entries = digestEntries(incidents, now);
  if (entries.length === 0) return undefined;
  const date = digestDate(now, timeZone);
  const count = (u: DigestUrgency) => entries.filter((e) => e.urgency === u).length;
  const open = new Set(entries.map((e) => e.incidentId)).size;
  const subject = `Incident digest ${date}: ${entries.length} open obligation${entries.length === 1 ? '' : 's'} (${count('overdue')} overdue, ${count('due-soon')} due within ${DUE_SOON_HOURS} h)`;
  const intro = `Open obligations of the ${open} open incident${open === 1 ? '' : 's'} as of ${formatInZone(now.toISOString(), timeZone)}, overdue first, then nearest deadline first.`;
  return compose(
    `digest/${date}`,
    to,
    subject,
    intro,
    entries.map((e) => entryRow(e, timeZone, now)),
    ['Details of each incident: incident show <id>.'],
  );
}
