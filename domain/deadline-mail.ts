import type { CalendarInvite } from './calendar-invite';
import { describeTimeLeft, type Notice } from './deadlines';
import type { IncidentState, Obligation } from './incident';
import {
  compose,
  forLeadership,
  incidentRows,
  INFO_LINKS,
  trailFooter,
  type MailMessage,
  type Row,
} from './mail-compose';
import { recordCommand } from './obligation-action';
import { ownerRoles, type Policy } from './policy';
import { formatInZone, formatUtc } from './time-format';

// The mails about one deadline: a reminder, an overdue notice, a moved deadline, its calendar event. Each says what is due, to
// whom, by when (in the policy's zone, in UTC, and in each recipient's own zone where the policy knows it
// and it differs), how much time is left, who owns it, and the one command that records it as done.

const utc = (iso: string) => `${formatUtc(iso)} UTC`;

/** One row per other zone among the recipients: a mail goes to several people, each reads their own line. */
function recipientZoneRows(dueAt: string, to: string[], policy: Policy): Row[] {
  const zones = new Map(Object.entries(policy.timeZones ?? {}).map(([a, z]) => [a.toLowerCase(), z]));
  const byZone = new Map<string, string[]>();
  for (const address of to) {
    const zone = zones.get(address.toLowerCase());
    if (!zone || zone === policy.timeZone) continue;
    byZone.set(zone, [...(byZone.get(zone) ?? []), address]);
  }
  return [...byZone].map(([zone, addresses]) => [`Due for ${addresses.join(', ')}`, formatInZone(dueAt, zone)]);
}

function ownersOf(policy: Policy, ob: Obligation): string {
  return ownerRoles(policy, ob)
    .map((role) => `${role} (${(policy.recipients[role] ?? []).join(', ')})`)
    .join(', ');
}

/** What, to whom, by when, and under which rule: the rows every deadline mail starts with. */
function obligationRows(ob: Obligation, policy: Policy, to: string[], afterDue: Row[] = []): Row[] {
  const zone = ob.clock?.zone;
  return [
    ['Obligation', ob.title],
    ['Owed to', ob.owedTo],
    ['Due', `${formatInZone(ob.dueAt, policy.timeZone)} (${utc(ob.dueAt)})`],
    ...recipientZoneRows(ob.dueAt, to, policy),
    ["Due in the rule's time zone", zone && zone !== policy.timeZone ? formatInZone(ob.dueAt, zone) : ''],
    ...afterDue,
    ['Legal basis', ob.clock ? `${ob.clock.rule.citation} (rule ${ob.clock.rule.id} v${ob.clock.rule.version})` : ''],
    [
      'Counted from',
      ob.clock ? `${ob.clock.anchor.event} at ${formatInZone(ob.clock.anchor.at, policy.timeZone)}` : '',
    ],
  ];
}

export function deadlineNotice(
  s: IncidentState,
  ob: Obligation,
  notice: Notice,
  policy: Policy,
  to: string[],
  now: Date,
): MailMessage {
  const late = notice.kind === 'overdue';
  const left = describeTimeLeft(ob.dueAt, now);
  const subject = late
    ? `[${s.severity}] OVERDUE: ${ob.title} (incident ${s.incidentId})`
    : `[${s.severity}] Deadline in ${left.replace(' left', '')}: ${ob.title} (incident ${s.incidentId})`;
  const intro = late
    ? `The deadline to "${ob.title}" has passed and it is not met. ${left}.`
    : `Reminder: "${ob.title}" is due soon (${left}).`;
  const outro =
    late && ob.kind === 'notify-regulator'
      ? [
          `A late notification to the ${policy.regulator.name} must state the reasons for the delay (${policy.regulator.article}(1)).`,
        ]
      : [];
  const rows = obligationRows(ob, policy, to, [
    [late ? 'Late by' : 'Time left', left.replace(/^overdue by /, '').replace(/ left$/, '')],
    ['Owners', ownersOf(policy, ob)],
    ['Action to take', recordCommand(s.incidentId, ob, late)],
  ]);
  return forLeadership(
    s,
    INFO_LINKS,
    compose(
      `${s.incidentId}/${ob.id}/${notice.key}`,
      to,
      subject,
      intro,
      [...rows, ...incidentRows(s, policy).slice(0, 5)],
      outro,
      trailFooter(s),
    ),
  );
}

/** A deadline moved (awareness corrected, a delay granted or lifted): the people it concerns hear at once. */
export function deadlineMovedNotice(
  s: IncidentState,
  ob: Obligation,
  because: string,
  policy: Policy,
  to: string[],
): MailMessage {
  const paused = ob.clock?.pausedUntilDelayEnd;
  const subject = paused
    ? `[${s.severity}] Deadline paused: ${ob.title} (incident ${s.incidentId})`
    : `[${s.severity}] Deadline moved: ${ob.title} (incident ${s.incidentId})`;
  const intro = paused
    ? `The deadline to "${ob.title}" is paused after ${because}; it runs again when the delay ends.`
    : `The deadline to "${ob.title}" moved after ${because}. It is now ${formatInZone(ob.dueAt, policy.timeZone)}.`;
  return forLeadership(
    s,
    INFO_LINKS,
    compose(
      `${s.incidentId}/${ob.id}/moved-r${ob.clock?.revision ?? 0}`,
      to,
      subject,
      intro,
      [...obligationRows(ob, policy, to), ...incidentRows(s, policy).slice(0, 5)],
      [],
      trailFooter(s),
    ),
  );
}

/** The deadline as a calendar event, kept in step with the obligation: opened, moved, then cancelled. */
export function calendarInviteMail(
  s: IncidentState,
  ob: Obligation,
  invite: CalendarInvite,
  policy: Policy,
): MailMessage {
  const cancel = invite.method === 'CANCEL';
  const what = cancel ? 'Cancelled' : invite.sequence === 0 ? 'Calendar' : 'Calendar update';
  const intro = cancel
    ? `"${ob.title}" is ${ob.status === 'met' ? 'met' : 'waived'}: its deadline is removed from your calendar.`
    : `The deadline to "${ob.title}" as a calendar event, with alarms at the reminder times.`;
  return {
    ...compose(
      `${s.incidentId}/${ob.id}/${cancel ? 'cancel' : 'invite'}-${invite.sequence}`,
      invite.attendees,
      `[${s.severity}] ${what}: ${ob.title} (incident ${s.incidentId})`,
      intro,
      [...obligationRows(ob, policy, invite.attendees), ...incidentRows(s, policy).slice(0, 2)],
    ),
    calendar: invite,
  };
}
