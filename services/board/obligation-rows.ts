import { describeTimeLeft, nextNoticeAt, urgencyOf, type Urgency } from '../../domain/deadlines';
import type { Obligation } from '../../domain/incident';
import { recipientsForObligation, type Policy } from '../../domain/policy';
import { formatInZone, formatUtc } from '../../domain/time-format';
import { html, joinRaw, type Raw } from './page';

// The obligations table of the board: overdue first of all, then the nearest deadline; each state in
// words (never colour alone), due time in the viewer's configured zone and in UTC (board.js adds the
// browser's own zone), and when leadership is next reminded and who is.

export type ObligationState = 'OVERDUE' | 'due within 4 h' | 'pending' | 'met' | 'waived';

const STATE_OF: Record<Urgency, ObligationState> = {
  overdue: 'OVERDUE',
  'due-soon': 'due within 4 h',
  pending: 'pending',
};

export function obligationState(o: Obligation, now: Date): ObligationState {
  if (o.status === 'met' || o.status === 'waived') return o.status;
  return STATE_OF[urgencyOf(o.dueAt, now)];
}

const RANK: Record<ObligationState, number> = { OVERDUE: 0, 'due within 4 h': 1, pending: 2, met: 3, waived: 4 };

export function sortObligations(obligations: Obligation[], now: Date): Obligation[] {
  return [...obligations].sort(
    (a, b) =>
      RANK[obligationState(a, now)] - RANK[obligationState(b, now)] || Date.parse(a.dueAt) - Date.parse(b.dueAt),
  );
}

/** An instant as the board shows it: the zone's wall clock, then UTC; board.js adds the browser's zone. */
function instant(iso: string, timeZone: string): Raw {
  return html`<time datetime="${formatUtc(iso)}" data-zone="${timeZone}">${formatInZone(iso, timeZone)}</time
    ><br /><span class="utc">${formatUtc(iso)}</span>`;
}

function nextReminder(o: Obligation, policy: Policy, now: Date, timeZone: string): Raw {
  const at = nextNoticeAt(o, policy, now);
  if (!at) return html`—`;
  const to = recipientsForObligation(policy, o);
  return html`${instant(at.toISOString(), timeZone)}<br />to ${to.length ? to.join(', ') : 'nobody (no address)'}`;
}

export interface ObligationTableOptions {
  now: Date;
  /** The viewer's configured zone (policy.timeZones), else the policy's. */
  timeZone: string;
  /** The incident's policy: its reminder offsets and recipients say when the next reminder goes and to whom. */
  policy: Policy;
  caption: string;
}

export function obligationTable(obligations: Obligation[], options: ObligationTableOptions): Raw {
  const { now, timeZone, policy, caption } = options;
  if (obligations.length === 0) return html`<p>No obligations.</p>`;
  const rows = sortObligations(obligations, now).map((o) => {
    const state = obligationState(o, now);
    const open = state !== 'met' && state !== 'waived';
    return html`<tr class="${state === 'OVERDUE' ? 'overdue' : ''}">
      <th scope="row">${o.title}</th>
      <td>${o.owedTo}</td>
      <td>${instant(o.dueAt, timeZone)}</td>
      <td data-due="${formatUtc(o.dueAt)}">${open ? describeTimeLeft(o.dueAt, now) : '—'}</td>
      <td><strong>${state}</strong></td>
      <td>${open ? nextReminder(o, policy, now, timeZone) : html`—`}</td>
    </tr>`;
  });
  return html`<table>
    <caption>
      ${caption}
    </caption>
    <thead>
      <tr>
        <th scope="col">Obligation</th>
        <th scope="col">Owed to</th>
        <th scope="col">Due (${timeZone}, then UTC)</th>
        <th scope="col">Time left</th>
        <th scope="col">State</th>
        <th scope="col">Next reminder</th>
      </tr>
    </thead>
    <tbody>
      ${joinRaw(rows)}
    </tbody>
  </table>`;
}
