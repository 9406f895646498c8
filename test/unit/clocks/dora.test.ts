import { describe, expect, it } from 'vitest';
import { doraPack } from '../../../domain/clocks/regimes/dora';
import type { ClockEvent, ClockOptions } from '../../../domain/clocks/types';
import { ctx, ev, ids, only, questions } from './eu-context';

// Delegated Regulation (EU) 2025/301 Art. 5, row by row. Awareness on Tuesday 10 March 2026, 09:00 Paris.
const AWARE = '2026-03-10T08:00:00.000Z';
const PAYMENT: ClockOptions = { doraEntityType: 'payment-institution' };

describe('DORA initial notification: 4 h after classification, no later than 24 h after awareness', () => {
  it.each([
    {
      cite: 'RTS 2025/301 Art. 5(1)(a): classified 10 h after awareness, 4 h after classification is earlier',
      classified: '2026-03-10T18:00:00.000Z',
      due: '2026-03-10T22:00:00.000Z',
      anchor: 'classified-major',
      late: false,
    },
    {
      cite: 'RTS 2025/301 Art. 5(1)(a): classified 22 h after awareness, 24 h after awareness is earlier',
      classified: '2026-03-11T06:00:00.000Z',
      due: '2026-03-11T08:00:00.000Z',
      anchor: 'awareness',
      late: false,
    },
    {
      cite: 'RTS 2025/301 Art. 5(2): classified 30 h after awareness, 4 h after classification and late',
      classified: '2026-03-11T14:00:00.000Z',
      due: '2026-03-11T18:00:00.000Z',
      anchor: 'classified-major',
      late: true,
    },
  ])('$cite', ({ classified, due, anchor, late }) => {
    const outcome = doraPack.evaluate(ctx([ev('awareness', AWARE), ev('classified-major', classified)], {}, PAYMENT));
    const initial = only(outcome, 'dora-initial');
    expect(initial.dueAt).toBe(due);
    expect(initial.anchor.event).toBe(anchor);
    expect(initial.convention).toBe('earliest-of');
    expect(initial.reminderOffsetsMinutes).toEqual([120, 60, 15]);
    expect(initial.roles).toEqual(['ciso', 'legal']);
    expect(initial.recipient).toBe('the competent authority (DORA Art. 46)');
    expect(initial.lateBecause !== undefined).toBe(late);
    if (late) expect(initial.lateBecause).toMatch(/after the 24 h limit .*Art\. 5\(2\)/);
    expect(ids(outcome)).toEqual(['dora-initial']);
    expect(outcome.undecided).toEqual([]);
  });
});

const JANUARY = [ev('awareness', '2026-01-15T08:00:00.000Z'), ev('classified-major', '2026-01-15T10:00:00.000Z')];
const CLASSIFIED = ev('classified-major', '2026-03-10T18:00:00.000Z');
function phases(...more: ClockEvent[]): ClockEvent[] {
  return [ev('awareness', AWARE), CLASSIFIED, ...more];
}

describe('DORA reports after the initial notification count from submissions', () => {
  it.each([
    {
      cite: 'RTS 2025/301 Art. 5(1)(b): intermediate 72 h from the initial notification SUBMISSION (not classification)',
      events: phases(ev('submitted:dora-initial', '2026-03-10T21:00:00.000Z')),
      id: 'dora-intermediate',
      due: '2026-03-13T21:00:00.000Z',
      anchor: 'submitted:dora-initial',
      options: PAYMENT,
    },
    {
      cite: "RTS 2025/301 Art. 5(1)(b), second sentence: updated report after recovery, the system's 24 h target",
      events: phases(ev('activities-recovered', '2026-03-12T10:00:00.000Z')),
      id: 'dora-intermediate-recovered',
      due: '2026-03-13T10:00:00.000Z',
      anchor: 'activities-recovered',
      options: PAYMENT,
    },
    {
      cite: 'RTS 2025/301 Art. 5(1)(c) and Reg. 1182/71 Art. 3(2)(c): 31 January + one month = end of 28 February',
      events: [
        ...JANUARY,
        ev('submitted:dora-intermediate', '2026-01-20T10:00:00.000Z'),
        ev('submitted:dora-intermediate-recovered', '2026-01-31T10:00:00.000Z'),
      ],
      id: 'dora-final',
      due: '2026-02-28T22:59:59.999Z',
      anchor: 'submitted:dora-intermediate-recovered',
      options: { ...PAYMENT, doraReliefDisapplied: true },
    },
    {
      cite: 'RTS 2025/301 Art. 5(1)(c): from the LATEST intermediate report, whichever kind it was',
      events: phases(
        ev('submitted:dora-intermediate-recovered', '2026-03-16T10:00:00.000Z'),
        ev('submitted:dora-intermediate', '2026-03-20T10:00:00.000Z'),
      ),
      id: 'dora-final',
      due: '2026-04-20T21:59:59.999Z',
      anchor: 'submitted:dora-intermediate',
      options: PAYMENT,
    },
  ])('$cite', ({ events, id, due, anchor, options }) => {
    const found = only(doraPack.evaluate(ctx(events, {}, options)), id);
    expect(found.dueAt).toBe(due);
    expect(found.anchor.event).toBe(anchor);
  });

  it('RTS 2025/301 Art. 5(1)(b): no intermediate report before the initial notification is submitted', () => {
    expect(ids(doraPack.evaluate(ctx(phases(), {}, PAYMENT)))).toEqual(['dora-initial']);
  });

  it('DORA Art. 19(1): nothing is owed for an incident not classified as major', () => {
    expect(doraPack.evaluate(ctx([ev('awareness', AWARE)], {}, PAYMENT))).toEqual({ obligations: [], undecided: [] });
  });
});

// Saturday 14 March 2026: awareness Friday 21:00 Paris, classified Saturday 09:00 → limit Saturday 13:00.
const WEEKEND = [ev('awareness', '2026-03-13T20:00:00.000Z'), ev('classified-major', '2026-03-14T08:00:00.000Z')];
const SATURDAY_LIMIT = '2026-03-14T12:00:00.000Z';
const MONDAY_NOON = '2026-03-16T11:00:00.000Z';
// Final report limit on Saturday 28 February 2026 (one month after 31 January); relief → Monday 2 March noon.
const FINAL_ON_SATURDAY = [...JANUARY, ev('submitted:dora-intermediate', '2026-01-31T10:00:00.000Z')];
// 14 July 2026 (fête nationale, a Tuesday): intermediate limit 72 h after a submission on Saturday 11 July.
const BASTILLE = [
  ev('awareness', '2026-07-11T05:00:00.000Z'),
  ev('classified-major', '2026-07-11T06:00:00.000Z'),
  ev('submitted:dora-initial', '2026-07-11T09:00:00.000Z'),
];

describe('DORA weekend and bank-holiday relief (RTS 2025/301 Art. 5(4)-(6))', () => {
  it.each([
    {
      cite: 'Art. 5(4): initial limit on a Saturday → 12:00 Paris on Monday (payment institution)',
      events: WEEKEND,
      options: PAYMENT,
      id: 'dora-initial',
      due: MONDAY_NOON,
      why: /relief applied/,
    },
    {
      cite: 'Art. 5(5): a credit institution gets no relief on its initial notification',
      events: WEEKEND,
      options: { doraEntityType: 'credit-institution' },
      id: 'dora-initial',
      due: SATURDAY_LIMIT,
      why: /relief not applied: credit institution \(Art\. 5\(5\)\)/,
    },
    {
      cite: 'Art. 5(5): a credit institution keeps the relief on its final report',
      events: FINAL_ON_SATURDAY,
      options: { doraEntityType: 'credit-institution' },
      id: 'dora-final',
      due: '2026-03-02T11:00:00.000Z',
      why: /relief applied/,
    },
    {
      cite: 'Art. 5(4): intermediate limit on 14 July 2026 (bank holiday in France) → 15 July 12:00 Paris',
      events: BASTILLE,
      options: { doraEntityType: 'investment-firm' },
      id: 'dora-intermediate',
      due: '2026-07-15T10:00:00.000Z',
      why: /bank holiday in FR/,
    },
    {
      cite: "Art. 5(4): the holiday is the entity's Member State's: 14 July is a working day in Germany",
      events: BASTILLE,
      options: { doraEntityType: 'investment-firm', memberState: 'DE' },
      id: 'dora-intermediate',
      due: '2026-07-14T09:00:00.000Z',
      why: /relief not needed/,
    },
    {
      cite: 'Art. 5(5): no relief on the intermediate report of a central counterparty',
      events: BASTILLE,
      options: { doraEntityType: 'central-counterparty' },
      id: 'dora-intermediate',
      due: '2026-07-14T09:00:00.000Z',
      why: /central counterparty \(Art\. 5\(5\)\)/,
    },
    {
      cite: 'Art. 5(5): no relief on the initial notification of a trading venue operator',
      events: WEEKEND,
      options: { doraEntityType: 'trading-venue' },
      id: 'dora-initial',
      due: SATURDAY_LIMIT,
      why: /trading venue \(Art\. 5\(5\)\)/,
    },
    {
      cite: 'Art. 5(5): no relief on the initial notification of a NIS2 essential or important entity',
      events: WEEKEND,
      options: { doraEntityType: 'nis2-essential-or-important' },
      id: 'dora-initial',
      due: SATURDAY_LIMIT,
      why: /NIS2 Art\. 3 \(Art\. 5\(5\)\)/,
    },
    {
      cite: 'Art. 5(6): relief disapplied by the authority → none, even on the final report',
      events: FINAL_ON_SATURDAY,
      options: { doraEntityType: 'insurance', doraReliefDisapplied: true },
      id: 'dora-final',
      due: '2026-02-28T22:59:59.999Z',
      why: /Art\. 5\(6\)/,
    },
    {
      cite: 'Art. 5(5): entity type unknown → the strictest, no relief on the initial notification',
      events: WEEKEND,
      options: {},
      id: 'dora-initial',
      due: SATURDAY_LIMIT,
      why: /entity type is not configured/,
    },
    {
      cite: 'Art. 5(5): entity type unknown → the final report keeps the relief (5(5) spares every final report)',
      events: FINAL_ON_SATURDAY,
      options: {},
      id: 'dora-final',
      due: '2026-03-02T11:00:00.000Z',
      why: /relief applied/,
    },
  ])('$cite', ({ events, options, id, due, why }) => {
    const found = only(doraPack.evaluate(ctx(events, {}, options)), id);
    expect(found.dueAt).toBe(due);
    expect(found.why.some((line) => why.test(line))).toBe(true);
  });

  it('Art. 5(5): an unconfigured entity type is asked for, and the deadlines are still computed', () => {
    const outcome = doraPack.evaluate(ctx(WEEKEND));
    expect(questions(outcome)).toEqual([
      'answer the DORA entity type: clocks.doraEntityType in the worker configuration (dora-entity-type=<type> in a what-if)',
    ]);
    expect(ids(outcome)).toEqual(['dora-initial']);
  });

  it('RTS 2025/301 Art. 5(1)(a): without awareness the 24 h limit is unknown, so it is asked for', () => {
    const outcome = doraPack.evaluate(ctx([CLASSIFIED], {}, PAYMENT));
    expect(outcome.obligations).toEqual([]);
    expect(questions(outcome)).toEqual(['record the event awareness']);
  });

  it('every rule the pack produces is listed with its citation and DORA application date', () => {
    expect(doraPack.rules.map((r) => r.id)).toEqual([
      'dora-initial',
      'dora-intermediate',
      'dora-intermediate-recovered',
      'dora-final',
    ]);
    for (const r of doraPack.rules) expect(r.appliesFrom).toBe('2025-01-17');
  });
});
