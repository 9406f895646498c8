import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { renderInvite } from '../../activities/calendar-ics';
import {
  inviteUid,
  nextInvite,
  obligationInvite,
  recordInvite,
  type CalendarInvite,
} from '../../domain/calendar-invite';
import { dueAfterHours } from '../../domain/deadlines';
import type { IncidentState, Obligation } from '../../domain/incident';
import { markMet } from '../../domain/obligations';
import { defaultPolicy } from '../../domain/policy-schema';
import { assessedState } from './builders';

// The deadline's calendar event as a calendar reads it: rendered by ical-generator, parsed back by ical.js,
// an independent implementation of RFC 5545.

const policy = defaultPolicy();
const TO = ['dpo@example.com', 'ciso@example.com'];
const FROM = 'Incident Response <ir@example.com>';

function regulatorObligation(s: IncidentState): Obligation {
  const ob = s.obligations.find((o) => o.kind === 'notify-regulator');
  if (!ob) throw new Error(`no regulator obligation among ${s.obligations.map((o) => o.id).join(', ')}`);
  return ob;
}

function parse(ics: string) {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  const vevent = calendar.getFirstSubcomponent('vevent')!;
  const event = new ICAL.Event(vevent);
  return {
    method: calendar.getFirstPropertyValue('method'),
    vevent,
    event,
    start: event.startDate.toJSDate().toISOString(),
    status: vevent.getFirstPropertyValue('status'),
    triggers: vevent
      .getAllSubcomponents('valarm')
      .map((a) => (a.getFirstPropertyValue('trigger') as ICAL.Duration).toSeconds() / 60),
    attendees: vevent
      .getAllProperties('attendee')
      .map((p) => String(p.getFirstValue()).replace(/^mailto:/i, 'mailto:')),
  };
}

function invite(s: IncidentState, ob: Obligation, method: 'REQUEST' | 'CANCEL' = 'REQUEST'): CalendarInvite {
  const step = nextInvite(ob);
  if (!step || step.method !== method) throw new Error(`expected a ${method}, next is ${JSON.stringify(step)}`);
  return obligationInvite(s, ob, policy, TO, step.method, step.sequence);
}

describe('calendar invites for deadlines', () => {
  it('an opened deadline parses with its UID, SEQUENCE 0, METHOD:REQUEST, attendees and the reminder alarms', () => {
    const s = assessedState(policy, { incidentId: 'INC-7' });
    const ob = regulatorObligation(s);
    const parsed = parse(renderInvite(invite(s, ob), FROM));
    expect(parsed.method).toBe('REQUEST');
    expect(parsed.event.uid).toBe(`INC-7.${ob.id}@incident-response`);
    expect(parsed.event.sequence).toBe(0);
    expect(parsed.start).toBe(ob.dueAt);
    expect(parsed.status).toBe('CONFIRMED');
    expect(parsed.attendees).toEqual(TO.map((a) => `mailto:${a}`));
    expect(String(parsed.vevent.getFirstPropertyValue('organizer')).toLowerCase()).toBe('mailto:ir@example.com');
    // Alarms fire before the start: negative triggers, one per reminder offset of the policy.
    const offsets = [...new Set(policy.reminderOffsetsHours)].sort((a, b) => b - a).map((h) => -h * 60);
    expect(offsets.length).toBeGreaterThan(0);
    expect(parsed.triggers).toEqual(offsets);
  });

  it.each([
    ['Europe/Paris spring forward', '2026-03-26T01:30:00.000Z', '2026-03-29T01:30:00.000Z'],
    ['Europe/Paris fall back', '2026-10-22T01:30:00.000Z', '2026-10-25T01:30:00.000Z'],
    ['America/New_York spring forward', '2026-03-05T07:30:00.000Z', '2026-03-08T07:30:00.000Z'],
    ['America/New_York fall back', '2026-10-29T06:30:00.000Z', '2026-11-01T06:30:00.000Z'],
  ])('72 h across the %s change: DTSTART is the deadline instant, written in UTC', (_, awareAt, dueAt) => {
    const s = assessedState(policy, { awareAt });
    const ob = regulatorObligation(s);
    ob.dueAt = dueAfterHours(awareAt, 72);
    expect(ob.dueAt).toBe(dueAt);
    const ics = renderInvite(invite(s, ob), FROM);
    expect(parse(ics).start).toBe(dueAt);
    expect(parse(ics).event.startDate.zone?.tzid).toBe('UTC');
    expect(ics).toContain(`DTSTART:${dueAt.replace(/[-:]/g, '').replace('.000', '')}`);
    expect(ics).not.toMatch(/TZID/);
  });

  it('a deadline with milliseconds starts at its second, never after the deadline', () => {
    const s = assessedState(policy);
    const ob = regulatorObligation(s);
    ob.dueAt = '2026-03-29T01:30:00.999Z';
    const parsed = parse(renderInvite(invite(s, ob), FROM));
    expect(parsed.start).toBe('2026-03-29T01:30:00.000Z');
  });

  it('a move is an update with a higher SEQUENCE and the new start; met, it is a CANCEL with a higher one still', () => {
    const s = assessedState(policy);
    const ob = regulatorObligation(s);
    const first = invite(s, ob);
    recordInvite(ob, first);
    expect(nextInvite(ob)).toBeUndefined();
    ob.dueAt = new Date(Date.parse(ob.dueAt) - 2 * 3_600_000).toISOString();
    const moved = invite(s, ob);
    recordInvite(ob, moved);
    const update = parse(renderInvite(moved, FROM));
    expect(update.event.sequence).toBe(1);
    expect(update.start).toBe(ob.dueAt);
    markMet(ob, '2026-03-29T10:00:00.000Z', 'dpo', ['CNIL ref 1']);
    const cancelled = invite(s, ob, 'CANCEL');
    recordInvite(ob, cancelled);
    const cancel = parse(renderInvite(cancelled, FROM));
    expect(cancel.method).toBe('CANCEL');
    expect(cancel.status).toBe('CANCELLED');
    expect(cancel.event.uid).toBe(update.event.uid);
    expect(cancel.event.sequence).toBe(2);
    expect(cancel.triggers).toEqual([]);
    expect(nextInvite(ob)).toBeUndefined();
  });

  it('a waived deadline is cancelled with the reason; one never invited is not', () => {
    const s = assessedState(policy);
    const [a, b] = s.obligations;
    recordInvite(a, invite(s, a));
    for (const ob of [a, b]) Object.assign(ob, { status: 'waived', waivedReason: 'No personal data after all' });
    const cancel = invite(s, a, 'CANCEL');
    expect(cancel.description).toContain('No personal data after all');
    expect(nextInvite(b)).toBeUndefined();
  });

  it('HTML, CRLF, commas and an injected property in the incident title stay text in one property', () => {
    const title = 'DB <script>x</script>, leaked; "all"\r\nATTENDEE:mailto:evil@attacker.example\nX-INJECTED:1';
    const s = assessedState(policy, { title });
    const ob = regulatorObligation(s);
    const ics = renderInvite(invite(s, ob), FROM);
    const parsed = parse(ics);
    expect(parsed.attendees).toEqual(TO.map((a) => `mailto:${a}`));
    expect(parsed.vevent.getFirstProperty('x-injected')).toBeNull();
    expect(ics.split('\r\n').filter((l) => /^(ATTENDEE|X-INJECTED)/.test(l))).toHaveLength(TO.length);
    const description = String(parsed.event.description);
    expect(description).toContain(
      'DB <script>x</script>, leaked; "all" ATTENDEE:mailto:evil@attacker.example X-INJECTED:1',
    );
  });

  it('UIDs keep distinct obligation ids distinct and hold only portable characters', () => {
    const a = inviteUid('INC-1', 'contract:policy');
    const b = inviteUid('INC-1', 'contract-policy');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9._%-]+@incident-response$/);
  });
});
