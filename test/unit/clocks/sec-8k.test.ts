import { describe, expect, it } from 'vitest';
import { sec8kPack } from '../../../domain/clocks/regimes/sec-8k';
import type { ClockEvent, ClockObligation, RegimeContext } from '../../../domain/clocks/types';

// Expected instants were worked out by hand from the calendar (U.S. federal holidays, EDGAR's 17:30
// Eastern cutoff) and checked with `TZ=America/New_York date`, never taken from the code's output.

const NY = 'America/New_York';

function ctx(events: ClockEvent[]): RegimeContext {
  return { events, facts: {}, options: {}, zone: NY };
}

function determined(at: string): ClockEvent {
  return { name: 'materiality-determined', at, reason: 'customer data of a listed client exfiltrated' };
}

function only(events: ClockEvent[], id = 'sec-8k'): ClockObligation {
  const found = sec8kPack.evaluate(ctx(events)).obligations.filter((o) => o.obligation === id);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('SEC Form 8-K Item 1.05: four business days after the materiality determination, 17:30 Eastern', () => {
  it.each([
    {
      cite: 'Form 8-K General Instruction B.1; Item 1.05(a)',
      case: 'a Friday determination is due the next Thursday (weekend skipped), 17:30 EDT',
      at: '2026-05-15T18:00:00.000Z',
      expected: '2026-05-21T21:30:00.000Z',
    },
    {
      cite: 'Form 8-K General Instruction B.1',
      case: 'Friday 23:00 in New York is Saturday in UTC: the New York date counts',
      at: '2026-05-16T03:00:00.000Z',
      expected: '2026-05-21T21:30:00.000Z',
    },
    {
      cite: 'Form 8-K General Instruction B.1',
      case: 'a Saturday determination: the weekend day itself is day 0, Monday is day 1',
      at: '2026-05-16T14:00:00.000Z',
      expected: '2026-05-21T21:30:00.000Z',
    },
    {
      cite: 'Form 8-K General Instruction B.1; 5 U.S.C. 6103(a) (Thanksgiving)',
      case: 'Tue 24 Nov 2026, two days before Thanksgiving: Wed, Fri, Mon, Tue 1 Dec 17:30 EST',
      at: '2026-11-24T15:00:00.000Z',
      expected: '2026-12-01T22:30:00.000Z',
    },
    {
      cite: 'Form 8-K General Instruction B.1; 5 U.S.C. 6103(b) (Independence Day observed Fri 3 July)',
      case: 'Thu 2 July 2026: Fri 3 July is the observed holiday, so Mon 6 to Thu 9 July',
      at: '2026-07-02T14:00:00.000Z',
      expected: '2026-07-09T21:30:00.000Z',
    },
    {
      cite: 'Form 8-K General Instruction B.1; Regulation S-T Rule 13(a)',
      case: 'Thu 29 Oct 2026 across the 1 Nov DST end: Wed 4 Nov 17:30 EST, 22:30Z (not 21:30Z)',
      at: '2026-10-29T14:00:00.000Z',
      expected: '2026-11-04T22:30:00.000Z',
    },
  ])('$cite: $case', ({ at, expected }) => {
    const ob = only([determined(at)]);
    expect(ob.dueAt).toBe(expected);
    expect(ob.convention).toBe('business-days');
    expect(ob.recipient).toBe('SEC (EDGAR)');
    expect(ob.roles).toEqual(['general-counsel', 'cfo']);
    expect(ob.anchor).toEqual({ event: 'materiality-determined', at });
    expect(ob.rule).toMatchObject({ id: 'sec-8k', appliesFrom: '2023-12-18' });
    expect(ob.why[0]).toContain('customer data of a listed client exfiltrated');
  });

  it('Form 8-K Item 1.05: no determination, no obligation and nothing to answer', () => {
    expect(sec8kPack.evaluate(ctx([{ name: 'awareness', at: '2026-05-15T18:00:00.000Z' }]))).toEqual({
      obligations: [],
      undecided: [],
    });
  });
});

describe('Item 1.05(c): an Attorney General delay defers the filing to the end of the period it specifies', () => {
  const friday = determined('2026-05-15T18:00:00.000Z'); // due 2026-05-21T21:30:00.000Z undelayed
  const start = (at: string, regime?: 'sec-8k' | 'hipaa'): ClockEvent => ({
    name: 'delay-start',
    at,
    regime,
    reference: 'DOJ letter 2026-17',
  });
  const end = (at: string, regime?: 'sec-8k' | 'hipaa'): ClockEvent => ({ name: 'delay-end', at, regime });

  it.each([
    {
      cite: 'Form 8-K Item 1.05(c)',
      case: 'granted before the due date and lifted a month later: due when the delay ends',
      events: [start('2026-05-19T15:00:00.000Z', 'sec-8k'), end('2026-06-19T16:00:00.000Z', 'sec-8k')],
      expected: '2026-06-19T16:00:00.000Z',
      convention: 'given',
    },
    {
      cite: 'Form 8-K Item 1.05(c)',
      case: 'a delay naming no regime concerns every regime that honours delays',
      events: [start('2026-05-19T15:00:00.000Z'), end('2026-06-19T16:00:00.000Z')],
      expected: '2026-06-19T16:00:00.000Z',
      convention: 'given',
    },
    {
      cite: 'Form 8-K Item 1.05(c) (an additional period when the Attorney General extends it)',
      case: 'an extension granted as the first period ends: due at the end of the second',
      events: [
        start('2026-05-19T15:00:00.000Z'),
        end('2026-06-19T16:00:00.000Z'),
        start('2026-06-19T16:00:00.000Z'),
        end('2026-07-20T16:00:00.000Z'),
      ],
      expected: '2026-07-20T16:00:00.000Z',
      convention: 'given',
    },
    {
      cite: 'Form 8-K Item 1.05(c)',
      case: 'lifted before the due date: the original four business days stand',
      events: [start('2026-05-18T15:00:00.000Z'), end('2026-05-20T15:00:00.000Z')],
      expected: '2026-05-21T21:30:00.000Z',
      convention: 'business-days',
    },
    {
      cite: 'Form 8-K Item 1.05(c)',
      case: 'granted after the due date: the filing was already owed',
      events: [start('2026-05-22T15:00:00.000Z'), end('2026-06-22T15:00:00.000Z')],
      expected: '2026-05-21T21:30:00.000Z',
      convention: 'business-days',
    },
    {
      cite: 'Form 8-K Item 1.05(c)',
      case: "a HIPAA law-enforcement delay does not hold back the SEC's filing",
      events: [start('2026-05-19T15:00:00.000Z', 'hipaa'), end('2026-06-19T16:00:00.000Z', 'hipaa')],
      expected: '2026-05-21T21:30:00.000Z',
      convention: 'business-days',
    },
  ])('$cite: $case', ({ events, expected, convention }) => {
    const ob = only([friday, ...events]);
    expect(ob.dueAt).toBe(expected);
    expect(ob.convention).toBe(convention);
    expect(ob.pausedUntilDelayEnd).toBeUndefined();
  });

  it('Form 8-K Item 1.05(c): a delay still in force leaves the deadline open, flagged, at its undelayed instant', () => {
    const ob = only([friday, start('2026-05-19T15:00:00.000Z')]);
    expect(ob.pausedUntilDelayEnd).toBe(true);
    expect(ob.convention).toBe('paused');
    expect(ob.dueAt).toBe('2026-05-21T21:30:00.000Z');
    expect(ob.why.join(' ')).toContain('DOJ letter 2026-17');
  });
});

describe('Item 1.05 Instruction 2: a Form 8-K/A four business days after missing information becomes available', () => {
  const friday = determined('2026-05-15T18:00:00.000Z');
  const info = (at: string, regime?: 'sec-8k' | 'hipaa'): ClockEvent => ({
    name: 'information-available',
    at,
    regime,
    reason: 'forensic report names the data categories',
  });

  it.each([
    {
      cite: 'Form 8-K Item 1.05, Instruction 2',
      case: 'information available Wed 3 June 2026: Thu, Fri, Mon, Tue 9 June 17:30 EDT',
      events: [info('2026-06-03T15:00:00.000Z', 'sec-8k')],
      expected: [['sec-8k-amendment', '2026-06-09T21:30:00.000Z']],
    },
    {
      cite: 'Form 8-K Item 1.05, Instruction 2',
      case: 'each new piece of information owes its own amendment, numbered in time order',
      events: [info('2026-06-04T15:00:00.000Z'), info('2026-06-03T15:00:00.000Z')],
      expected: [
        ['sec-8k-amendment', '2026-06-09T21:30:00.000Z'],
        ['sec-8k-amendment-2', '2026-06-10T21:30:00.000Z'],
      ],
    },
    {
      cite: 'Form 8-K Item 1.05, Instruction 2',
      case: 'information known before the determination goes in the 8-K itself; another regime’s is not ours',
      events: [info('2026-05-14T15:00:00.000Z'), info('2026-06-03T15:00:00.000Z', 'hipaa')],
      expected: [],
    },
  ])('$cite: $case', ({ events, expected }) => {
    const obligations = sec8kPack.evaluate(ctx([friday, ...events])).obligations;
    const amendments = obligations.filter((o) => o.rule.id === 'sec-8k-amendment');
    expect(amendments.map((o) => [o.obligation, o.dueAt])).toEqual(expected);
    for (const o of amendments) expect(o.anchor.event).toBe('information-available');
  });
});
