import { describe, expect, it } from 'vitest';
import { nis2Pack } from '../../../domain/clocks/regimes/nis2';
import type { ClockEvent, ClockFacts } from '../../../domain/clocks/types';
import { ctx, ev, ids, only, questions } from './eu-context';

// NIS2 Directive (EU) 2022/2555 Art. 23(4). Aware of a significant incident on Tuesday 10 March 2026 at
// 10:00 Paris; the incident notification submitted on Thursday 12 March at 16:00 Paris.
const AWARE = ev('awareness', '2026-03-10T07:00:00.000Z');
const SIGNIFICANT = ev('classified-significant', '2026-03-10T09:00:00.000Z');
const SUBMITTED = ev('submitted:nis2-notification', '2026-03-12T15:00:00.000Z');
const MONTH_AFTER_SUBMISSION = '2026-04-12T21:59:59.999Z'; // end of 12 April, Paris summer time

describe('NIS2 early warning and incident notification count from awareness of significance', () => {
  it.each([
    {
      cite: 'NIS2 Art. 23(4)(a): early warning 24 h',
      facts: {},
      id: 'nis2-early-warning',
      due: '2026-03-11T09:00:00.000Z',
      citation: 'NIS2 Directive (EU) 2022/2555 Art. 23(4)(a)',
    },
    {
      cite: 'NIS2 Art. 23(4)(b): incident notification 72 h',
      facts: { trustServiceProvider: false },
      id: 'nis2-notification',
      due: '2026-03-13T09:00:00.000Z',
      citation: 'NIS2 Directive (EU) 2022/2555 Art. 23(4)(b)',
    },
    {
      cite: 'NIS2 Art. 23(4)(b): not recorded as a trust service provider, 72 h',
      facts: {},
      id: 'nis2-notification',
      due: '2026-03-13T09:00:00.000Z',
      citation: 'NIS2 Directive (EU) 2022/2555 Art. 23(4)(b)',
    },
    {
      cite: 'NIS2 Art. 23(4)(b), second subparagraph: a trust service provider notifies within 24 h',
      facts: { trustServiceProvider: true },
      id: 'nis2-notification',
      due: '2026-03-11T09:00:00.000Z',
      citation: 'NIS2 Directive (EU) 2022/2555 Art. 23(4)(b), second subparagraph',
    },
  ])('$cite', ({ facts, id, due, citation }) => {
    const found = only(nis2Pack.evaluate(ctx([AWARE, SIGNIFICANT], facts)), id);
    expect(found.dueAt).toBe(due);
    expect(found.rule.citation).toBe(citation);
    expect(found.anchor).toEqual({ event: 'classified-significant', at: SIGNIFICANT.at });
    expect(found.recipient).toBe('ANSSI / CERT-FR');
    expect(found.roles).toEqual(['ciso', 'legal']);
  });

  it('NIS2 Art. 23(4)(a): the early warning gets the short-clock reminders', () => {
    const warning = only(nis2Pack.evaluate(ctx([SIGNIFICANT])), 'nis2-early-warning');
    expect(warning.reminderOffsetsMinutes).toEqual([240, 60, 15]);
  });

  it('NIS2 Art. 23(1): nothing is owed for an incident not classified as significant', () => {
    expect(nis2Pack.evaluate(ctx([AWARE]))).toEqual({ obligations: [], undecided: [] });
  });

  it('NIS2 Art. 23(4): the configured authority is the recipient', () => {
    const outcome = nis2Pack.evaluate(ctx([SIGNIFICANT], {}, { nis2Authority: 'BSI' }));
    expect(outcome.obligations.map((o) => o.recipient)).toEqual(['BSI', 'BSI']);
  });
});

describe('NIS2 intermediate reports on an authority request', () => {
  const request = (at: string, dueAt: string, extra: Partial<ClockEvent> = {}) =>
    ev('authority-request', at, { dueAt, ...extra });

  it.each([
    {
      cite: 'NIS2 Art. 23(4)(c): one request, due when the authority says',
      requests: [request('2026-03-14T08:00:00.000Z', '2026-03-17T16:00:00.000Z', { regime: 'nis2' })],
      expected: [['nis2-intermediate-report', '2026-03-17T16:00:00.000Z']],
    },
    {
      cite: 'NIS2 Art. 23(4)(c): two requests, one report each',
      requests: [
        request('2026-03-14T08:00:00.000Z', '2026-03-17T16:00:00.000Z'),
        request('2026-03-20T08:00:00.000Z', '2026-03-23T11:00:00.000Z'),
      ],
      expected: [
        ['nis2-intermediate-report', '2026-03-17T16:00:00.000Z'],
        ['nis2-intermediate-report-2', '2026-03-23T11:00:00.000Z'],
      ],
    },
    {
      cite: "NIS2 Art. 23(4)(c): a request addressed to DORA's authority is not a NIS2 request",
      requests: [request('2026-03-14T08:00:00.000Z', '2026-03-17T16:00:00.000Z', { regime: 'dora' })],
      expected: [],
    },
  ])('$cite', ({ requests, expected }) => {
    const outcome = nis2Pack.evaluate(ctx([SIGNIFICANT, ...requests], { trustServiceProvider: false }));
    const reports = outcome.obligations.filter((o) => o.obligation.startsWith('nis2-intermediate-report'));
    expect(reports.map((o) => [o.obligation, o.dueAt])).toEqual(expected);
    for (const o of reports) {
      expect(o.convention).toBe('given');
      expect(o.rule.id).toBe(o.obligation);
      expect(o.anchor.event).toBe('authority-request');
    }
  });

  it("NIS2 Art. 23(4)(c): a request without the authority's deadline is asked for", () => {
    const outcome = nis2Pack.evaluate(ctx([SIGNIFICANT, ev('authority-request', '2026-03-14T08:00:00.000Z')]));
    expect(ids(outcome)).toEqual(['nis2-early-warning', 'nis2-notification']);
    expect(questions(outcome)).toEqual(["record the authority's deadline (dueAt) on its authority-request"]);
  });
});

describe('NIS2 final and progress reports', () => {
  const HANDLED_LATE = ev('handled', '2026-05-20T08:00:00.000Z');
  const HANDLED_EARLY = ev('handled', '2026-03-25T08:00:00.000Z');
  it.each([
    {
      cite: 'NIS2 Art. 23(4)(d): final report one month after the notification was submitted',
      facts: { ongoing: false } as ClockFacts,
      events: [SIGNIFICANT, SUBMITTED],
      expected: [['nis2-final-report', MONTH_AFTER_SUBMISSION, 'submitted:nis2-notification']],
      undecided: [],
    },
    {
      cite: 'NIS2 Art. 23(4)(e): still ongoing → a progress report then, the final report once handled',
      facts: { ongoing: true },
      events: [SIGNIFICANT, SUBMITTED],
      expected: [['nis2-progress-report', MONTH_AFTER_SUBMISSION, 'submitted:nis2-notification']],
      undecided: ['record the event handled when the incident is handled'],
    },
    {
      cite: 'NIS2 Art. 23(4)(e): handled after that month → final report one month after handling',
      facts: { ongoing: true },
      events: [SIGNIFICANT, SUBMITTED, HANDLED_LATE],
      expected: [
        ['nis2-progress-report', MONTH_AFTER_SUBMISSION, 'submitted:nis2-notification'],
        ['nis2-final-report', '2026-06-20T21:59:59.999Z', 'handled'],
      ],
      undecided: [],
    },
    {
      cite: 'NIS2 Art. 23(4)(e): the handled event decides over the fact: handled within the month → (d)',
      facts: { ongoing: true },
      events: [SIGNIFICANT, SUBMITTED, HANDLED_EARLY],
      expected: [['nis2-final-report', MONTH_AFTER_SUBMISSION, 'submitted:nis2-notification']],
      undecided: [],
    },
    {
      cite: 'NIS2 Art. 23(4)(d)-(e): ongoing unanswered → the final report of (d), and the question asked',
      facts: {},
      events: [SIGNIFICANT, SUBMITTED],
      expected: [['nis2-final-report', MONTH_AFTER_SUBMISSION, 'submitted:nis2-notification']],
      undecided: ['answer ongoing=yes|no'],
    },
    {
      cite: 'NIS2 Art. 23(4)(d): no final report before the notification is submitted',
      facts: { ongoing: true },
      events: [SIGNIFICANT],
      expected: [],
      undecided: [],
    },
  ])('$cite', ({ facts, events, expected, undecided }) => {
    const outcome = nis2Pack.evaluate(ctx(events, { trustServiceProvider: false, ...facts }));
    const later = outcome.obligations.filter(
      (o) => o.obligation === 'nis2-final-report' || o.obligation === 'nis2-progress-report',
    );
    expect(later.map((o) => [o.obligation, o.dueAt, o.anchor.event])).toEqual(expected);
    for (const o of later) expect(o.convention).toBe('months');
    expect(questions(outcome)).toEqual(undecided);
  });

  it('NIS2 Art. 23(4)(d): a month counted from 31 January ends on the last day of February', () => {
    const outcome = nis2Pack.evaluate(
      ctx(
        [
          ev('classified-significant', '2026-01-28T09:00:00.000Z'),
          ev('submitted:nis2-notification', '2026-01-31T10:00:00.000Z'),
        ],
        { ongoing: false },
      ),
    );
    expect(only(outcome, 'nis2-final-report').dueAt).toBe('2026-02-28T22:59:59.999Z');
  });
});
