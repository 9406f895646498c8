import type { ObligationClock } from './clocks/incident-clocks';

// What an incident owes someone by a time, as the incident holds it: its kind, deadline, status, proof,
// the legal rule behind it and the calendar event its recipients were sent. domain/incident.ts re-exports it.

export const OBLIGATION_KINDS = [
  'notify-customers',
  'notify-regulator',
  'inform-law-enforcement',
  'send-rfo',
  'legal-clock',
] as const;
export type ObligationKind = (typeof OBLIGATION_KINDS)[number];

export type ObligationStatus = 'pending' | 'met' | 'waived';

export interface Obligation {
  id: string;
  kind: ObligationKind;
  title: string;
  /** Who is owed: "affected customers", "CNIL", a customer name… */
  owedTo: string;
  dueAt: string;
  status: ObligationStatus;
  metAt?: string;
  metBy?: string;
  proof: string[];
  lateReason?: string;
  waivedReason?: string;
  /** Keys of the reminder and overdue notices already sent, so none is sent twice. */
  noticesSent: string[];
  deliveryFailures: string[];
  /** The legal rule that produced it (absent for obligations from before the clock engine). */
  clock?: ObligationClock;
  /** The last calendar invite its recipients were sent (domain/calendar-invite.ts); absent before the first. */
  calendar?: { sequence: number; dueAt: string; paused?: boolean; cancelled?: boolean };
}
