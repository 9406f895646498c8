// Every expected instant below was worked out by hand and cross-checked with `TZ=<zone> date -d`, never
// copied from what the code printed. Holiday calendars are in conventions-calendars.test.ts.
import { describe, expect, it } from 'vitest';
import {
  afterHours,
  earliestOf,
  endOfCalendarDays,
  endOfMonthsAfter,
  paused,
  type Pause,
} from '../../../domain/clocks/conventions';
import { formatInZone } from '../../../domain/time-format';

const PARIS = 'Europe/Paris';
const NEW_YORK = 'America/New_York';
const d = (iso: string) => new Date(iso);

describe('hours: elapsed time, a daylight-saving change moves the wall clock, not the instant', () => {
  it.each([
    {
      cite: 'GDPR Art. 33(1) 72 h, Paris spring forward 29 Mar 2026',
      anchor: '2026-03-28T09:00:00.000Z',
      hours: 24,
      zone: PARIS,
      due: '2026-03-29T09:00:00.000Z',
      wall: '2026-03-29 11:00 UTC+02:00 (Europe/Paris)',
    },
    {
      cite: 'NIS2 Art. 23(4)(a) 24 h, Paris fall back 25 Oct 2026',
      anchor: '2026-10-24T08:00:00.000Z',
      hours: 24,
      zone: PARIS,
      due: '2026-10-25T08:00:00.000Z',
      wall: '2026-10-25 09:00 UTC+01:00 (Europe/Paris)',
    },
    {
      cite: '23 NYCRR 500.17(a) 72 h, New York spring forward 8 Mar 2026',
      anchor: '2026-03-07T15:00:00.000Z',
      hours: 72,
      zone: NEW_YORK,
      due: '2026-03-10T15:00:00.000Z',
      wall: '2026-03-10 11:00 UTC-04:00 (America/New_York)',
    },
    {
      cite: '23 NYCRR 500.17(c) 24 h, New York fall back 1 Nov 2026',
      anchor: '2026-10-31T14:00:00.000Z',
      hours: 24,
      zone: NEW_YORK,
      due: '2026-11-01T14:00:00.000Z',
      wall: '2026-11-01 09:00 UTC-05:00 (America/New_York)',
    },
    {
      cite: 'DORA Reg. 2025/301 Art. 5(1)(a) 4 h',
      anchor: '2026-03-29T00:30:00.000Z',
      hours: 4,
      zone: PARIS,
      due: '2026-03-29T04:30:00.000Z',
      wall: '2026-03-29 06:30 UTC+02:00 (Europe/Paris)',
    },
  ])('$cite', ({ anchor, hours, zone, due, wall }) => {
    const at = afterHours(d(anchor), hours);
    expect(at.toISOString()).toBe(due);
    expect(at.getTime() - d(anchor).getTime()).toBe(hours * 3_600_000);
    expect(formatInZone(at.toISOString(), zone)).toBe(wall);
  });
});

describe('calendar days: 23:59:59.999 local of the Nth day after the anchor date in the zone', () => {
  it.each([
    {
      cite: 'HIPAA 45 CFR 164.404(b) 60 days, across New York DST (8 Mar 2026)',
      anchor: '2026-01-10T15:00:00.000Z',
      days: 60,
      zone: NEW_YORK,
      due: '2026-03-12T03:59:59.999Z',
    },
    {
      cite: '23 NYCRR 500.17(c) 30 days, across Paris fall back: end of 30 Oct is 23:59 CET',
      anchor: '2026-10-20T10:00:00.000Z',
      days: 10,
      zone: PARIS,
      due: '2026-10-30T22:59:59.999Z',
    },
    {
      cite: 'HIPAA 45 CFR 164.404(b) 60 days from 1 Jan 2024 cross 29 Feb 2024',
      anchor: '2024-01-01T12:00:00.000Z',
      days: 60,
      zone: NEW_YORK,
      due: '2024-03-02T04:59:59.999Z',
    },
    {
      cite: 'issue 13 §3 calendar days count from the local date (30 Jun 23:30Z is 1 Jul in Paris)',
      anchor: '2026-06-30T23:30:00.000Z',
      days: 30,
      zone: PARIS,
      due: '2026-07-31T21:59:59.999Z',
    },
  ])('$cite', ({ anchor, days, zone, due }) => {
    expect(endOfCalendarDays(d(anchor), days, zone).toISOString()).toBe(due);
  });
});

describe('months: same date N months later, or the last day of that month (Reg. 1182/71 Art. 3(2)(c))', () => {
  it.each([
    {
      cite: 'Reg. 1182/71 Art. 3(2)(c): 31 Jan 2026 + 1 month ends 28 Feb 2026',
      anchor: '2026-01-31T10:00:00.000Z',
      due: '2026-02-28T22:59:59.999Z',
    },
    {
      cite: 'Reg. 1182/71 Art. 3(2)(c): 31 Jan 2024 + 1 month ends 29 Feb 2024 (leap year)',
      anchor: '2024-01-31T10:00:00.000Z',
      due: '2024-02-29T22:59:59.999Z',
    },
    {
      cite: 'Reg. 1182/71 Art. 3(2)(c): 30 Sep 2026 + 1 month ends 30 Oct 2026 (CET)',
      anchor: '2026-09-30T08:00:00.000Z',
      due: '2026-10-30T22:59:59.999Z',
    },
    {
      cite: 'NIS2 Art. 23(4)(d): 15 Mar 2026 CET + 1 month ends 15 Apr 2026 CEST',
      anchor: '2026-03-15T10:00:00.000Z',
      due: '2026-04-15T21:59:59.999Z',
    },
    {
      cite: 'DORA Reg. 2025/301 Art. 5(1)(c): 31 Jan 23:30Z is 1 Feb in Paris, so 1 Mar',
      anchor: '2026-01-31T23:30:00.000Z',
      due: '2026-03-01T22:59:59.999Z',
    },
  ])('$cite', ({ anchor, due }) => {
    expect(endOfMonthsAfter(d(anchor), 1, PARIS).toISOString()).toBe(due);
  });
});

describe('earliest of several limits', () => {
  const aware = d('2026-05-04T08:00:00.000Z');
  const limits = (classified: string) => [
    { rule: 'classification + 4 h', at: afterHours(d(classified), 4) },
    { rule: 'awareness + 24 h', at: afterHours(aware, 24) },
  ];
  it.each([
    {
      cite: 'DORA Reg. 2025/301 Art. 5(1)(a): classified 10 h after awareness → 4 h later',
      classified: '2026-05-04T18:00:00.000Z',
      rule: 'classification + 4 h',
      at: '2026-05-04T22:00:00.000Z',
    },
    {
      cite: 'DORA Reg. 2025/301 Art. 5(1)(a): classified 22 h after awareness → awareness + 24 h',
      classified: '2026-05-05T06:00:00.000Z',
      rule: 'awareness + 24 h',
      at: '2026-05-05T08:00:00.000Z',
    },
    {
      cite: 'DORA Reg. 2025/301 Art. 5(1)(a): a tie keeps the first listed limit',
      classified: '2026-05-05T04:00:00.000Z',
      rule: 'classification + 4 h',
      at: '2026-05-05T08:00:00.000Z',
    },
  ])('$cite', ({ classified, rule, at }) => {
    const first = earliestOf(limits(classified));
    expect(first.rule).toBe(rule);
    expect(first.at.toISOString()).toBe(at);
  });

  it('issue 13 §3 earliest of: no limit at all is a programming error', () => {
    expect(() => earliestOf([])).toThrow(RangeError);
  });
});

describe('paused: the clock stands still while a granted delay runs', () => {
  const anchor = d('2026-01-01T00:00:00.000Z');
  const due = d('2026-03-02T00:00:00.000Z'); // 60 days
  const p = (start: string, end?: string): Pause => ({ start: d(start), end: end ? d(end) : undefined });
  it.each([
    {
      cite: 'HIPAA 45 CFR 164.412: a 10-day delay in the middle moves due by 10 days',
      pauses: [p('2026-01-10T00:00:00Z', '2026-01-20T00:00:00Z')],
      due: '2026-03-12T00:00:00.000Z',
    },
    {
      cite: 'HIPAA 45 CFR 164.412: a delay starting after due changes nothing',
      pauses: [p('2026-03-05T00:00:00Z', '2026-03-10T00:00:00Z')],
      due: '2026-03-02T00:00:00.000Z',
    },
    {
      cite: 'HIPAA 45 CFR 164.412: a delay starting exactly at due changes nothing',
      pauses: [p('2026-03-02T00:00:00Z')],
      due: '2026-03-02T00:00:00.000Z',
    },
    {
      cite: 'SEC Form 8-K Item 1.05(c): a delay from before the anchor counts from the anchor (4 days)',
      pauses: [p('2025-12-20T00:00:00Z', '2026-01-05T00:00:00Z')],
      due: '2026-03-06T00:00:00.000Z',
    },
    {
      cite: 'SEC Form 8-K Item 1.05(c): a delay over before the anchor changes nothing',
      pauses: [p('2025-12-01T00:00:00Z', '2025-12-10T00:00:00Z')],
      due: '2026-03-02T00:00:00.000Z',
    },
    {
      cite: 'HIPAA 45 CFR 164.412: a delay not yet lifted leaves the deadline unknown',
      pauses: [p('2026-01-10T00:00:00Z')],
      due: undefined,
    },
    {
      cite: 'HIPAA 45 CFR 164.412: two delays of 10 and 5 days add up',
      pauses: [p('2026-02-01T00:00:00Z', '2026-02-06T00:00:00Z'), p('2026-01-10T00:00:00Z', '2026-01-20T00:00:00Z')],
      due: '2026-03-17T00:00:00.000Z',
    },
    {
      cite: 'HIPAA 45 CFR 164.412: overlapping delays count once (10–25 Jan)',
      pauses: [p('2026-01-10T00:00:00Z', '2026-01-20T00:00:00Z'), p('2026-01-15T00:00:00Z', '2026-01-25T00:00:00Z')],
      due: '2026-03-17T00:00:00.000Z',
    },
    {
      cite: 'HIPAA 45 CFR 164.412: a delay after the original due but before the shifted one counts',
      pauses: [p('2026-01-10T00:00:00Z', '2026-01-20T00:00:00Z'), p('2026-03-05T00:00:00Z', '2026-03-07T00:00:00Z')],
      due: '2026-03-14T00:00:00.000Z',
    },
  ])('$cite', ({ pauses, due: expected }) => {
    expect(paused(anchor, due, pauses)?.toISOString()).toBe(expected);
  });
});
