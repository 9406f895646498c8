import { describeTimeLeft, urgencyOf, type Urgency } from '../../domain/deadlines';
import type { Obligation } from '../../domain/incident';
import { formatInZone, formatUtc } from '../../domain/time-format';
import { html, joinRaw, type Raw } from './page';

// The obligations table of the board: overdue first of all, then the nearest deadline; each state in
// words (never colour alone), due time in the viewer's zone and in UTC.

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

export function obligationTable(obligations: Obligation[], now: Date, timeZone: string, caption: string): Raw {
  if (obligations.length === 0) return html`<p>No obligations.</p>`;
  const rows = sortObligations(obligations, now).map((o) => {
    const state = obligationState(o, now);
    const open = state !== 'met' && state !== 'waived';
    return html`<tr class="${state === 'OVERDUE' ? 'overdue' : ''}">
      <th scope="row">${o.title}</th>
      <td>${o.owedTo}</td>
      <td>
        <time datetime="${formatUtc(o.dueAt)}">${formatInZone(o.dueAt, timeZone)}</time><br />${formatUtc(o.dueAt)}
      </td>
      <td data-due="${formatUtc(o.dueAt)}">${open ? describeTimeLeft(o.dueAt, now) : '—'}</td>
      <td><strong>${state}</strong></td>
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
      </tr>
    </thead>
    <tbody>
      ${joinRaw(rows)}
    </tbody>
  </table>`;
}
