import { parseTimeInput, TimeInputError } from '../time-input';
import { ClockInputError } from './input-error';
import type { ClockEvent, EventName } from './types';

// The anchor events as `incident clocks --at` takes them and `--list` explains them. An event with more
// to say than its instant carries it after commas, as key=value: the deadline an authority gave, the
// regime a delay concerns, why an incident was found material, a document's reference.

export interface EventDescription {
  name: string;
  /** Extra key=value fields it takes after its instant, `*` when required. */
  fields: string;
  meaning: string;
}

export const EVENT_DESCRIPTIONS: readonly EventDescription[] = [
  { name: 'awareness', fields: '', meaning: 'the organisation became aware of the incident (GDPR, NIS2, DORA, LGPD)' },
  { name: 'classified-significant', fields: '', meaning: 'classified as a significant incident (NIS2 Art. 23(3))' },
  { name: 'classified-major', fields: '', meaning: 'classified as a major ICT-related incident (DORA Art. 18)' },
  {
    name: 'materiality-determined',
    fields: 'reason=*',
    meaning: 'the incident was determined material (SEC 8-K Item 1.05); reason required',
  },
  {
    name: 'incident-determined',
    fields: '',
    meaning: 'a reportable cybersecurity incident was determined (NYDFS 500.17)',
  },
  {
    name: 'discovered',
    fields: '',
    meaning:
      'first day the breach was known or would have been with reasonable diligence (HIPAA); may precede awareness',
  },
  { name: 'extortion-paid', fields: '', meaning: 'an extortion payment was made (NYDFS 500.17(c))' },
  {
    name: 'submitted:<obligation>',
    fields: 'reference=',
    meaning: "that obligation's report was submitted; it starts the next phase's clock",
  },
  {
    name: 'authority-request',
    fields: 'due=*, regime=',
    meaning: 'an authority asked for a report (NIS2 intermediate report), due when it said',
  },
  {
    name: 'information-available',
    fields: 'regime=',
    meaning: 'information not available at the 8-K filing became available (8-K/A)',
  },
  { name: 'activities-recovered', fields: '', meaning: 'regular activities were recovered (DORA intermediate report)' },
  {
    name: 'delay-start',
    fields: 'regime=, reference=',
    meaning: 'a law-enforcement or national-security delay starts; pauses the regime named (all when none)',
  },
  { name: 'delay-end', fields: 'regime=, reference=', meaning: 'that delay ends' },
  { name: 'handled', fields: '', meaning: 'the incident is handled (NIS2 final report when it was ongoing)' },
];

const KEYS = { due: 'dueAt', regime: 'regime', reason: 'reason', reference: 'reference' } as const;

/** `now`, an ISO instant with offset, or "2h ago"; the ISO form itself is checked in clock-input.ts. */
function instant(text: string, field: string, now: Date): string {
  if (!/^now$|ago$/i.test(text.trim())) return text.trim();
  try {
    return parseTimeInput(text, now).toISOString();
  } catch (err) {
    if (err instanceof TimeInputError) throw new ClockInputError(field, `${field}: ${err.message}`);
    throw err;
  }
}

/** `<event>=<instant>[,due=<instant>][,regime=<id>][,reason=<text>][,reference=<text>]` as one event. */
export function parseEventArgument(text: string, now: Date): ClockEvent {
  // Split only before a known-looking key, so that a reason may contain commas.
  const [head, ...rest] = text.split(/,(?=\s*[a-z]+=)/);
  const eq = head.indexOf('=');
  if (eq <= 0)
    throw new ClockInputError(
      '--at',
      `--at ${text}: write <event>=<instant>, e.g. --at awareness=2026-03-02T10:00Z (incident clocks --list names the events).`,
    );
  const name = head.slice(0, eq).trim() as EventName;
  const event: ClockEvent = { name, at: instant(head.slice(eq + 1), name, now) };
  for (const part of rest) {
    const [key, ...value] = part.split('=');
    const field = KEYS[key.trim() as keyof typeof KEYS];
    if (!field)
      throw new ClockInputError(
        `${name}.${key.trim()}`,
        `--at ${text}: "${key.trim()}" is not a field of an event; use due=, regime=, reason= or reference=.`,
      );
    const v = value.join('=').trim();
    if (field === 'dueAt') event.dueAt = instant(v, `${name}.due`, now);
    else if (field === 'regime') event.regime = v as ClockEvent['regime'];
    else event[field] = v;
  }
  return event;
}
