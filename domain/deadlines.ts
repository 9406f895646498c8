// Per-function imports: the package index loads every function, and the CLI pays for that on each start.
import { addHours } from 'date-fns/addHours';
import { addMinutes } from 'date-fns/addMinutes';
import { differenceInMinutes } from 'date-fns/differenceInMinutes';
import { afterHours } from './clocks/hours';
import type { Obligation } from './incident';
import type { Policy } from './policy';

// Legal periods are elapsed hours from awareness ("within 72 hours"), not calendar days: a deadline that
// crosses a daylight-saving change falls at a different wall-clock hour, and formatting in the policy's
// time zone shows that honestly.

export function dueAfterHours(fromIso: string, hours: number): string {
  return afterHours(new Date(fromIso), hours).toISOString();
}

export type NoticeKind = 'reminder' | 'overdue';

export interface Notice {
  /** Stable key, unique within the obligation: the idempotency key of the mail it causes. */
  key: string;
  kind: NoticeKind;
  at: string;
  /** For a reminder, hours left at the scheduled time; for an overdue notice, hours late. */
  hours: number;
}

/** A deadline that moved starts a new series of notices, whose keys (and so mails) are new. */
function keyed(ob: Obligation, key: string): string {
  const revision = ob.clock?.revision;
  return revision ? `${key}@r${revision}` : key;
}

/** When leadership is reminded before an obligation's deadline, earliest first, each offset once. */
export function reminderOffsets(ob: Obligation, policy: Policy): { minutes: number; label: string }[] {
  // A short legal clock (DORA's 4 h) names its own offsets in minutes; the others take the policy's hours.
  const minutes = ob.clock?.reminderOffsetsMinutes;
  const offsets = minutes
    ? minutes.map((m) => ({ minutes: m, label: `${m}m` }))
    : policy.reminderOffsetsHours.map((h) => ({ minutes: h * 60, label: `${h}h` }));
  return [...new Map(offsets.map((o) => [o.label, o])).values()].sort((a, b) => b.minutes - a.minutes);
}

function reminderNotices(ob: Obligation, policy: Policy): Notice[] {
  const due = new Date(ob.dueAt);
  return reminderOffsets(ob, policy).map((o) => ({
    key: keyed(ob, `reminder-${o.label}`),
    kind: 'reminder' as const,
    at: addMinutes(due, -o.minutes).toISOString(),
    hours: o.minutes / 60,
  }));
}

/** A clock paused by a granted delay owes no notice until the delay ends and the deadline is known again. */
function isRunning(ob: Obligation): boolean {
  return ob.status === 'pending' && !ob.clock?.pausedUntilDelayEnd;
}

function overdueNotice(ob: Obligation, policy: Policy, k: number): Notice {
  const hours = k * policy.overdueRepeatHours;
  return {
    key: keyed(ob, `overdue-${k}`),
    kind: 'overdue',
    at: addHours(new Date(ob.dueAt), hours).toISOString(),
    hours,
  };
}

function overdueIndexAt(ob: Obligation, policy: Policy, now: Date): number {
  const late = now.getTime() - new Date(ob.dueAt).getTime();
  return Math.floor(late / (policy.overdueRepeatHours * 3_600_000));
}

/**
 * The notices an open obligation owes leadership at `now`. Only the latest notice that has fallen due is
 * sent; earlier ones it supersedes (an obligation opened 3 h before its deadline gets one "4 h left"-style
 * reminder stating the true time left, not a burst of stale ones) are returned as skipped so they are
 * never sent later.
 */
export function dueNotices(ob: Obligation, policy: Policy, now: Date): { send?: Notice; skip: string[] } {
  if (!isRunning(ob)) return { skip: [] };
  const sent = new Set(ob.noticesSent);
  const t = now.getTime();
  let fallen: Notice[];
  if (t >= new Date(ob.dueAt).getTime()) {
    const k = overdueIndexAt(ob, policy, now);
    fallen = [...reminderNotices(ob, policy), ...Array.from({ length: k + 1 }, (_, i) => overdueNotice(ob, policy, i))];
  } else {
    fallen = reminderNotices(ob, policy).filter((n) => new Date(n.at).getTime() <= t);
  }
  const unsent = fallen.filter((n) => !sent.has(n.key));
  if (unsent.length === 0) return { skip: [] };
  const latest = fallen[fallen.length - 1];
  const send = sent.has(latest.key) ? undefined : latest;
  return { send, skip: unsent.filter((n) => n !== send).map((n) => n.key) };
}

/** When the next notice of an open obligation falls due, strictly after `now`; undefined when met or waived. */
export function nextNoticeAt(ob: Obligation, policy: Policy, now: Date): Date | undefined {
  if (!isRunning(ob)) return undefined;
  const t = now.getTime();
  const upcomingReminder = reminderNotices(ob, policy).find((n) => new Date(n.at).getTime() > t);
  if (upcomingReminder) return new Date(upcomingReminder.at);
  if (t < new Date(ob.dueAt).getTime()) return new Date(ob.dueAt);
  return new Date(overdueNotice(ob, policy, overdueIndexAt(ob, policy, now) + 1).at);
}

/** When the next escalation is due if nobody acknowledges: one window after the previous notice. */
export function nextEscalationAt(openedAt: string, escalationsSent: number, policy: Policy): Date {
  return addMinutes(new Date(openedAt), escalationsSent * policy.ackWindowMinutes);
}

export function isOverdue(ob: Obligation, now: Date): boolean {
  return isRunning(ob) && now.getTime() >= new Date(ob.dueAt).getTime();
}

export function isLate(ob: Obligation, at: Date): boolean {
  return at.getTime() > new Date(ob.dueAt).getTime();
}

/** "3 h 20 min", or "overdue by 2 h 05 min": what a person needs at a glance. */
export function describeTimeLeft(dueAt: string, now: Date): string {
  const due = new Date(dueAt);
  // At the due instant the deadline has passed: "0 min left" would tell a person there is still time.
  if (now.getTime() >= due.getTime()) return `overdue by ${formatMinutes(differenceInMinutes(now, due))}`;
  return `${formatMinutes(differenceInMinutes(due, now))} left`;
}

export function formatMinutes(total: number): string {
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const minutes = total % 60;
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  return `${minutes} min`;
}

/** How pressing an open deadline is: passed, within DUE_SOON_HOURS, or later. */
export type Urgency = 'overdue' | 'due-soon' | 'pending';

/** An obligation due within this long is flagged as due soon (the board, the digest). */
export const DUE_SOON_HOURS = 4;

/** Most pressing first. */
export const URGENCY_RANK: Record<Urgency, number> = { overdue: 0, 'due-soon': 1, pending: 2 };

export function urgencyOf(dueAt: string, now: Date): Urgency {
  const left = new Date(dueAt).getTime() - now.getTime();
  if (left <= 0) return 'overdue';
  return left <= DUE_SOON_HOURS * 3_600_000 ? 'due-soon' : 'pending';
}
