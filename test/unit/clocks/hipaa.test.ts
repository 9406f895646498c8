import { describe, expect, it } from 'vitest';
import { hipaaPack } from '../../../domain/clocks/regimes/hipaa';
import type { ClockEvent, ClockFacts, ClockOptions, ClockOutcome } from '../../../domain/clocks/types';

// Expected instants: the end (23:59:59.999) of the 60th calendar day in New York, counted by hand and
// checked with `date -d '<day> +60 days'` and `date -u -d 'TZ="America/New_York" <day> 23:59:59.999'`.

const NY = 'America/New_York';
const JUNE_15 = '2026-06-15T14:00:00.000Z'; // 10:00 EDT; day 60 is Fri 14 Aug 2026
const END_OF_AUG_14 = '2026-08-15T03:59:59.999Z';

function evaluate(
  events: ClockEvent[],
  facts: ClockFacts,
  options: ClockOptions = {},
): ClockOutcome & { due: (id: string) => string | undefined } {
  const outcome = hipaaPack.evaluate({ events, facts, options, zone: NY });
  return { ...outcome, due: (id) => outcome.obligations.find((o) => o.obligation === id)?.dueAt };
}

const discovered = (at: string): ClockEvent => ({ name: 'discovered', at });
const covered: ClockFacts = { hipaaRole: 'covered-entity', people: 120, residents: { CA: 120 } };

describe('HIPAA covered entity: individuals and HHS within 60 calendar days of discovery', () => {
  it.each([
    {
      cite: '45 CFR 164.404(b)',
      case: 'individuals: 10 Jan 2024 + 60 days crosses the leap day and the 10 March DST start: end of 10 March',
      at: '2024-01-10T15:00:00.000Z',
      facts: covered,
      id: 'hipaa-individuals',
      expected: '2024-03-11T03:59:59.999Z',
    },
    {
      cite: '45 CFR 164.408(b)',
      case: 'HHS, exactly 500 people: at the same time as the individuals',
      at: JUNE_15,
      facts: { ...covered, people: 500 },
      id: 'hipaa-hhs',
      expected: END_OF_AUG_14,
    },
    {
      cite: '45 CFR 164.408(c)',
      case: 'HHS, 499 people discovered in 2026: 60 days after 31 Dec 2026, the end of 1 March 2027',
      at: JUNE_15,
      facts: { ...covered, people: 499 },
      id: 'hipaa-hhs',
      expected: '2027-03-02T04:59:59.999Z',
    },
    {
      cite: '45 CFR 164.408(c)',
      case: 'HHS, fewer than 500 discovered in 2027: 60 days after 31 Dec 2027 is 29 Feb 2028',
      at: '2027-05-01T14:00:00.000Z',
      facts: { ...covered, people: 300 },
      id: 'hipaa-hhs',
      expected: '2028-03-01T04:59:59.999Z',
    },
    {
      cite: '45 CFR 164.408(c)',
      case: '23:30 on 31 Dec 2026 in New York is 2027 in UTC: the year of discovery is 2026',
      at: '2027-01-01T04:30:00.000Z',
      facts: { ...covered, people: 12 },
      id: 'hipaa-hhs',
      expected: '2027-03-02T04:59:59.999Z',
    },
  ])('$cite: $case', ({ at, facts, id, expected }) => {
    const out = evaluate([discovered(at)], facts);
    const ob = out.obligations.find((o) => o.obligation === id);
    expect(ob?.dueAt).toBe(expected);
    expect(ob?.convention).toBe('calendar-days');
    expect(ob?.anchor).toEqual({ event: 'discovered', at });
    expect(ob?.roles).toEqual(['legal', 'dpo']);
    expect(ob?.rule.appliesFrom).toBe('2009-09-23');
  });

  it('45 CFR 164.408(b)-(c): HHS is undecided until the number of people is known', () => {
    const out = evaluate([discovered(JUNE_15)], { hipaaRole: 'covered-entity', residents: {} });
    expect(out.due('hipaa-individuals')).toBe(END_OF_AUG_14);
    expect(out.due('hipaa-hhs')).toBeUndefined();
    expect(out.undecided).toEqual([{ regime: 'hipaa', obligation: 'hipaa-hhs', question: 'answer people=<n>' }]);
  });
});

describe('HIPAA 164.406: the media of each state with more than 500 residents affected', () => {
  it.each([
    { cite: '45 CFR 164.406(a)', case: '501 residents of CA', residents: { CA: 501 }, expected: ['hipaa-media:CA'] },
    { cite: '45 CFR 164.406(a)', case: 'exactly 500 is not more than 500', residents: { CA: 500 }, expected: [] },
    {
      cite: '45 CFR 164.406(a)',
      case: 'one notice per state over the threshold',
      residents: { TX: 10, NY: 800, ca: 501 },
      expected: ['hipaa-media:CA', 'hipaa-media:NY'],
    },
  ])('$cite: $case', ({ residents, expected }) => {
    const out = evaluate([discovered(JUNE_15)], { hipaaRole: 'covered-entity', people: 2000, residents });
    const media = out.obligations.filter((o) => o.rule.id === 'hipaa-media');
    expect(media.map((o) => o.obligation)).toEqual(expected);
    for (const o of media) {
      expect(o.dueAt).toBe(END_OF_AUG_14); // 164.406(b): 60 calendar days
      expect(o.recipient).toBe(`prominent media outlets in ${o.obligation.slice(-2)}`);
    }
  });

  it.each([
    { cite: '45 CFR 164.406(a)', case: '600 people, states unknown: ask', people: 600, asked: true },
    { cite: '45 CFR 164.406(a)', case: 'people unknown too: ask', people: undefined, asked: true },
    {
      cite: '45 CFR 164.406(a)',
      case: '500 people in all cannot exceed 500 in a state: no question',
      people: 500,
      asked: false,
    },
  ])('$cite: $case', ({ people, asked }) => {
    const out = evaluate([discovered(JUNE_15)], { hipaaRole: 'covered-entity', people });
    const question = { regime: 'hipaa', obligation: 'hipaa-media', question: 'answer residents=<state>:<n>' };
    if (asked) expect(out.undecided).toContainEqual(question);
    else expect(out.undecided).not.toContainEqual(question);
  });
});

describe('HIPAA 164.410: a business associate tells the covered entity', () => {
  const registry: ClockOptions = {
    customers: [
      { id: 'clinic', name: 'Clinique Saint-Roch', contacts: ['privacy@clinic.example'], baaDays: 10 },
      { id: 'lab', name: 'Lab Nord', contacts: ['dpo@lab.example'], baaDays: 90, contractReference: 'BAA-7' },
      { id: 'shop', name: 'Web Shop', contacts: ['ops@shop.example'] },
    ],
  };
  it.each([
    {
      cite: '45 CFR 164.410(b)',
      case: 'no registry customer with a BAA: the covered entity, 60 days',
      customers: [{ name: 'Web Shop' }],
      expected: [['hipaa-covered-entity', 'the covered entity', END_OF_AUG_14]],
    },
    {
      cite: '45 CFR 164.410(b); 164.504(e) (BAA terms)',
      case: 'a BAA of 10 days shortens it (end of 25 June); one of 90 cannot lengthen it',
      customers: [{ name: 'x', email: 'PRIVACY@clinic.example' }, { name: 'lab' }, { name: 'Web Shop' }],
      expected: [
        ['hipaa-covered-entity:clinic', 'Clinique Saint-Roch', '2026-06-26T03:59:59.999Z'],
        ['hipaa-covered-entity:lab', 'Lab Nord', END_OF_AUG_14],
      ],
    },
  ])('$cite: $case', ({ customers, expected }) => {
    const out = evaluate([discovered(JUNE_15)], { hipaaRole: 'business-associate', customers }, registry);
    expect(out.obligations.map((o) => [o.obligation, o.recipient, o.dueAt])).toEqual(expected);
    expect(out.undecided).toEqual([]);
  });
});

describe('HIPAA 164.412: a law-enforcement delay stops every HIPAA clock', () => {
  const start = (at: string, regime?: 'hipaa' | 'sec-8k'): ClockEvent => ({
    name: 'delay-start',
    at,
    regime,
    reference: 'FBI letter',
  });
  const end = (at: string, regime?: 'hipaa' | 'sec-8k'): ClockEvent => ({ name: 'delay-end', at, regime });
  it.each([
    {
      cite: '45 CFR 164.412(a)',
      case: 'a 30-day written delay: individuals due end of 13 Sept instead of 14 Aug',
      events: [start('2026-07-01T14:00:00.000Z', 'hipaa'), end('2026-07-31T14:00:00.000Z', 'hipaa')],
      facts: covered,
      id: 'hipaa-individuals',
      expected: '2026-09-14T03:59:59.999Z',
      convention: 'paused',
    },
    {
      cite: '45 CFR 164.412(a)',
      case: "an SEC delay is not HIPAA's",
      events: [start('2026-07-01T14:00:00.000Z', 'sec-8k'), end('2026-07-31T14:00:00.000Z', 'sec-8k')],
      facts: covered,
      id: 'hipaa-individuals',
      expected: END_OF_AUG_14,
      convention: 'calendar-days',
    },
    {
      cite: '45 CFR 164.412(a); 164.408(c)',
      case: 'the annual HHS log: a delay over before the year ends held nothing back',
      events: [start('2026-07-01T14:00:00.000Z'), end('2026-07-31T14:00:00.000Z')],
      facts: { ...covered, people: 20 },
      id: 'hipaa-hhs',
      expected: '2027-03-02T04:59:59.999Z',
      convention: 'calendar-days',
    },
    {
      cite: '45 CFR 164.412(a); 164.408(c)',
      case: 'the annual HHS log: 10 days of a delay run after 31 Dec (noon) move it to the end of 11 March',
      events: [start('2026-12-01T14:00:00.000Z'), end('2027-01-10T17:00:00.000Z')],
      facts: { ...covered, people: 20 },
      id: 'hipaa-hhs',
      expected: '2027-03-12T04:59:59.999Z',
      convention: 'paused',
    },
  ])('$cite: $case', ({ events, facts, id, expected, convention }) => {
    const ob = evaluate([discovered(JUNE_15), ...events], facts).obligations.find((o) => o.obligation === id);
    expect(ob?.dueAt).toBe(expected);
    expect(ob?.convention).toBe(convention);
  });

  it('45 CFR 164.412(b): a delay not lifted yet leaves every clock paused, at its undelayed instant', () => {
    const out = evaluate([discovered(JUNE_15), start('2026-07-01T14:00:00.000Z')], { ...covered, people: 900 });
    expect(out.obligations.map((o) => [o.obligation, o.pausedUntilDelayEnd, o.dueAt])).toEqual([
      ['hipaa-individuals', true, END_OF_AUG_14],
      ['hipaa-hhs', true, END_OF_AUG_14],
    ]);
  });
});

describe('HIPAA applicability', () => {
  it('45 CFR 164.402 (covered entity, business associate): the role is asked once discovery is recorded', () => {
    expect(evaluate([discovered(JUNE_15)], {})).toMatchObject({
      obligations: [],
      undecided: [{ regime: 'hipaa', question: 'answer hipaa-role=covered-entity|business-associate' }],
    });
    expect(evaluate([], {})).toMatchObject({ obligations: [], undecided: [] });
  });
});
