import ical, {
  ICalAlarmType,
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalCalendarMethod,
  ICalEventStatus,
} from 'ical-generator';
import type { CalendarInvite } from '../domain/calendar-invite';

// Writes a deadline's calendar event as an iCalendar object (RFC 5545) carrying an iTIP method (RFC 5546).
// Every time is written in UTC ("...Z") with no TZID: the instant is what the law counts, and a calendar
// shows it in the reader's own zone, so no daylight-saving rule on either side can shift it.

/** The sender's address, from "Name <address>" or a bare address. */
function addressOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1]?.trim() ?? from.trim();
}

export function renderInvite(invite: CalendarInvite, from: string, now = new Date()): string {
  const cancel = invite.method === 'CANCEL';
  const calendar = ical({
    prodId: { company: 'incident-response', product: 'deadlines', language: 'EN' },
    method: cancel ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  const start = new Date(invite.start);
  calendar.createEvent({
    id: invite.uid,
    sequence: invite.sequence,
    stamp: now,
    start,
    end: new Date(start.getTime() + invite.durationMinutes * 60_000),
    summary: invite.summary,
    description: invite.description,
    organizer: { name: invite.organizer, email: addressOf(from) },
    attendees: invite.attendees.map((email) => ({
      email,
      role: ICalAttendeeRole.REQ,
      status: ICalAttendeeStatus.NEEDSACTION,
      rsvp: false,
    })),
    status: cancel
      ? ICalEventStatus.CANCELLED
      : invite.tentative
        ? ICalEventStatus.TENTATIVE
        : ICalEventStatus.CONFIRMED,
    // A cancelled event rings no more alarms.
    alarms: cancel
      ? []
      : invite.alarmsMinutesBefore.map((m) => ({
          type: ICalAlarmType.display,
          trigger: m * 60,
          description: invite.summary,
        })),
    ...(invite.url ? { url: invite.url } : {}),
  });
  return calendar.toString();
}

/** The nodemailer option for a text/calendar alternative with its iTIP method, which clients offer to apply. */
export function calendarPart(invite: CalendarInvite | undefined, from: string) {
  return invite ? { icalEvent: { method: invite.method, content: renderInvite(invite, from) } } : {};
}
