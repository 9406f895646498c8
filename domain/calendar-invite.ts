import { reminderOffsets } from './deadlines';
import { singleLine, stripControl } from './escape';
import type { IncidentState, Obligation } from './incident';
import type { Policy } from './policy';
import { formatUtc } from './time-format';

// A deadline as a calendar event (RFC 5545 / iTIP RFC 5546): plain data the workflow decides and the mailer
// renders, so no calendar library enters the workflow bundle. One event per obligation, the same UID for
// life: an update or a cancellation replaces the event in the recipient's calendar instead of adding one.

export type CalendarMethod = 'REQUEST' | 'CANCEL';

export interface CalendarInvite {
  uid: string;
  /** Grows with every update and with the cancellation, so calendars apply them in order. */
  sequence: number;
  method: CalendarMethod;
  /** The deadline instant (ISO, UTC) to the second, the finest iCalendar writes: cut, never rounded up. */
  start: string;
  durationMinutes: number;
  summary: string;
  description: string;
  /** The organizer's display name; its address is the mail's sender, which the mailer knows. */
  organizer: string;
  attendees: string[];
  /** The obligation's reminder offsets, as alarms. */
  alarmsMinutesBefore: number[];
  /** A paused clock: the event stays, marked tentative, until the delay ends. */
  tentative?: boolean;
  url?: string;
}

/** Long enough to be seen in a day view; the deadline itself is the start. */
export const INVITE_DURATION_MINUTES = 30;

/**
 * A UID unique per obligation. UID is TEXT, but calendars compare it byte for byte and some mangle ',;:\';
 * anything outside [A-Za-z0-9._-] is percent-encoded, which keeps distinct ids distinct.
 */
export function inviteUid(incidentId: string, obligationId: string): string {
  const safe = (v: string) => v.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${safe(incidentId)}.${safe(obligationId)}@incident-response`;
}

/** What the obligation's recipients must be sent now to keep their calendar right, if anything. */
export function nextInvite(ob: Obligation): { method: CalendarMethod; sequence: number } | undefined {
  const last = ob.calendar;
  if (ob.status !== 'pending')
    return last && !last.cancelled ? { method: 'CANCEL', sequence: last.sequence + 1 } : undefined;
  if (!last) return { method: 'REQUEST', sequence: 0 };
  if (last.cancelled) return undefined;
  const paused = !!ob.clock?.pausedUntilDelayEnd;
  if (last.dueAt === ob.dueAt && !!last.paused === paused) return undefined;
  return { method: 'REQUEST', sequence: last.sequence + 1 };
}

/** Remembers what was sent, so the next change is compared with what calendars hold. */
export function recordInvite(ob: Obligation, invite: CalendarInvite): void {
  ob.calendar = {
    sequence: invite.sequence,
    dueAt: ob.dueAt,
    ...(invite.tentative ? { paused: true } : {}),
    ...(invite.method === 'CANCEL' ? { cancelled: true } : {}),
  };
}

export function obligationInvite(
  s: IncidentState,
  ob: Obligation,
  policy: Policy,
  to: string[],
  method: CalendarMethod,
  sequence: number,
): CalendarInvite {
  const paused = !!ob.clock?.pausedUntilDelayEnd;
  const state =
    method === 'CANCEL'
      ? ob.status === 'met'
        ? 'Met; this deadline no longer applies.'
        : `Waived: ${ob.waivedReason ?? 'no reason given'}`
      : paused
        ? 'Paused until the delay ends; the time shown is the last one computed.'
        : '';
  const description = [
    state,
    `Obligation: ${ob.title}`,
    `Owed to: ${ob.owedTo}`,
    `Due: ${formatUtc(ob.dueAt)} UTC`,
    ob.clock ? `Legal basis: ${ob.clock.rule.citation}` : '',
    `Incident: ${s.incidentId} (${s.severity}) ${singleLine(s.title)}`,
  ].filter(Boolean);
  return {
    uid: inviteUid(s.incidentId, ob.id),
    sequence,
    method,
    // A calendar that shows a deadline later than it is would mislead: the milliseconds are dropped.
    start: new Date(Math.floor(Date.parse(ob.dueAt) / 1000) * 1000).toISOString(),
    durationMinutes: INVITE_DURATION_MINUTES,
    summary: singleLine(`Deadline: ${ob.title} (incident ${s.incidentId})`),
    description: stripControl(description.join('\n')),
    organizer: singleLine(policy.organisation),
    attendees: to,
    alarmsMinutesBefore: reminderOffsets(ob, policy).map((o) => o.minutes),
    ...(paused && method === 'REQUEST' ? { tentative: true } : {}),
  };
}
