import { describe, expect, it } from 'vitest';
import { nydfsPack } from '../../../domain/clocks/regimes/nydfs';
import type { ClockEvent, ClockObligation } from '../../../domain/clocks/types';

// Expected instants worked out by hand: hours are elapsed time (a DST change moves the wall clock, not the
// deadline), 30 days end at 23:59:59.999 New York time; checked with `TZ=America/New_York date`.

function evaluate(events: ClockEvent[]): ClockObligation[] {
  return nydfsPack.evaluate({ events, facts: {}, options: {}, zone: 'America/New_York' }).obligations;
}

describe('NYDFS 23 NYCRR 500.17', () => {
  it.each([
    {
      cite: '23 NYCRR 500.17(a)(1)',
      case: '72 h across the 1 Nov 2026 DST end: 12:00 EDT Fri becomes 11:00 EST Mon',
      event: { name: 'incident-determined', at: '2026-10-30T16:00:00.000Z' },
      id: 'nydfs-notice',
      expected: '2026-11-02T16:00:00.000Z',
      convention: 'hours',
    },
    {
      cite: '23 NYCRR 500.17(a)(1)',
      case: '72 h across the 8 Mar 2026 DST start: 10:00 EST Sat becomes 11:00 EDT Tue',
      event: { name: 'incident-determined', at: '2026-03-07T15:00:00.000Z' },
      id: 'nydfs-notice',
      expected: '2026-03-10T15:00:00.000Z',
      convention: 'hours',
    },
    {
      cite: '23 NYCRR 500.17(c)(1)',
      case: 'extortion payment notice 24 h after paying',
      event: { name: 'extortion-paid', at: '2026-05-04T22:30:00.000Z' },
      id: 'nydfs-extortion-notice',
      expected: '2026-05-05T22:30:00.000Z',
      convention: 'hours',
    },
    {
      cite: '23 NYCRR 500.17(c)(2)',
      case: 'written explanation within 30 days: paid 18:30 EDT 4 May, due end of 3 June New York',
      event: { name: 'extortion-paid', at: '2026-05-04T22:30:00.000Z' },
      id: 'nydfs-extortion-explanation',
      expected: '2026-06-04T03:59:59.999Z',
      convention: 'calendar-days',
    },
  ] as const)('$cite: $case', ({ event, id, expected, convention }) => {
    const ob = evaluate([event]).find((o) => o.obligation === id);
    expect(ob?.dueAt).toBe(expected);
    expect(ob?.convention).toBe(convention);
    expect(ob?.recipient).toBe('NYDFS Superintendent');
    expect(ob?.roles).toEqual(['ciso', 'legal']);
    expect(ob?.anchor).toEqual({ event: event.name, at: event.at });
    expect(ob?.rule.appliesFrom).toBe('2023-12-01');
  });

  it.each([
    { cite: '23 NYCRR 500.17(c)(1)', id: 'nydfs-extortion-notice', offsets: [240, 60, 15] },
    { cite: '23 NYCRR 500.17(a)(1)', id: 'nydfs-notice', offsets: undefined },
    { cite: '23 NYCRR 500.17(c)(2)', id: 'nydfs-extortion-explanation', offsets: undefined },
  ])('$cite: only the 24 h clock has the short reminders ($id)', ({ id, offsets }) => {
    const obligations = evaluate([
      { name: 'incident-determined', at: '2026-05-04T12:00:00.000Z' },
      { name: 'extortion-paid', at: '2026-05-04T22:30:00.000Z' },
    ]);
    expect(obligations.find((o) => o.obligation === id)?.reminderOffsetsMinutes).toEqual(offsets);
  });

  it('23 NYCRR 500.17: no anchor event, no obligation and nothing undecided', () => {
    expect(nydfsPack.evaluate({ events: [], facts: {}, options: {}, zone: 'America/New_York' })).toEqual({
      obligations: [],
      undecided: [],
    });
  });
});
