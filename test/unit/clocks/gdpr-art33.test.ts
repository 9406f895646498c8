import { describe, expect, it } from 'vitest';
import { gdprArt33Pack } from '../../../domain/clocks/regimes/gdpr-art33';
import type { ClockFacts } from '../../../domain/clocks/types';
import { ctx, ev, ids, only, questions } from './eu-context';

// GDPR (EU) 2016/679 Art. 33, counted in elapsed hours from awareness.

describe('GDPR Art. 33: 72 hours of elapsed time from awareness', () => {
  it.each([
    {
      cite: 'GDPR Art. 33(1): 72 h across the end of summer time in Paris (25 October 2026)',
      awareness: '2026-10-23T08:00:00.000Z', // Friday 10:00 CEST
      due: '2026-10-26T08:00:00.000Z', // Monday 09:00 CET: 72 h elapsed, not "same wall-clock time"
    },
    {
      cite: 'GDPR Art. 33(1): 72 h across the start of summer time in Paris (29 March 2026)',
      awareness: '2026-03-28T09:00:00.000Z', // Saturday 10:00 CET
      due: '2026-03-31T09:00:00.000Z', // Tuesday 11:00 CEST
    },
    {
      cite: 'GDPR Art. 33(1): 72 h across a leap day (29 February 2028)',
      awareness: '2028-02-28T12:00:00.000Z',
      due: '2028-03-02T12:00:00.000Z',
    },
  ])('$cite', ({ awareness, due }) => {
    const notification = only(
      gdprArt33Pack.evaluate(ctx([ev('awareness', awareness)], { personalData: true })),
      'gdpr-art33-notification',
    );
    expect(notification).toMatchObject({
      regime: 'gdpr-art33',
      recipient: 'CNIL',
      dueAt: due,
      zone: 'Europe/Paris',
      convention: 'hours',
      anchor: { event: 'awareness', at: awareness },
      roles: ['cto', 'dpo', 'legal'],
      rule: { id: 'gdpr-art33-notification', citation: 'GDPR (EU) 2016/679 Art. 33(1)', appliesFrom: '2018-05-25' },
    });
  });

  const AWARE = [ev('awareness', '2026-03-10T08:00:00.000Z')];
  it.each([
    {
      cite: 'GDPR Art. 33(1): unlikely to result in a risk → no notification',
      facts: { personalData: true, riskToPeople: false },
      owed: [],
      asked: [],
    },
    {
      cite: 'GDPR Art. 4(12): no personal data → no personal data breach',
      facts: { personalData: false },
      owed: [],
      asked: [],
    },
    {
      cite: 'GDPR Art. 33(1): personal data unanswered → undecided',
      facts: {},
      owed: [],
      asked: ['answer personal-data=yes|no'],
    },
    {
      cite: 'GDPR Art. 33(1): risk unassessed → notification owed',
      facts: { personalData: true },
      owed: ['gdpr-art33-notification'],
      asked: [],
    },
    {
      cite: 'GDPR Art. 33(1): a high risk (Art. 34(1)) is a risk, whatever the risk answer',
      facts: { personalData: true, riskToPeople: false, highRisk: true },
      owed: ['gdpr-art33-notification'],
      asked: [],
    },
  ])('$cite', ({ facts, owed, asked }) => {
    const outcome = gdprArt33Pack.evaluate(ctx(AWARE, facts as ClockFacts));
    expect(ids(outcome)).toEqual(owed);
    expect(questions(outcome)).toEqual(asked);
  });

  it('GDPR Art. 51 and 55: the configured supervisory authority is the recipient', () => {
    const outcome = gdprArt33Pack.evaluate(ctx(AWARE, { personalData: true }, { supervisoryAuthority: 'APD-GBA' }));
    expect(only(outcome, 'gdpr-art33-notification').recipient).toBe('APD-GBA');
  });

  it('GDPR Art. 33(1): a corrected awareness (recorded last) replaces the first, even when earlier', () => {
    const events = [ev('awareness', '2026-03-10T08:00:00.000Z'), ev('awareness', '2026-03-09T20:00:00.000Z')];
    const outcome = gdprArt33Pack.evaluate(ctx(events, { personalData: true }));
    expect(only(outcome, 'gdpr-art33-notification').dueAt).toBe('2026-03-12T20:00:00.000Z');
  });
});
