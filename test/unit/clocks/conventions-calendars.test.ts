// Business and working days against the holiday calendars of date-holidays. Every expected instant was
// worked out by hand and cross-checked with `TZ=<zone> date -d`, never copied from what the code printed.
import { describe, expect, it } from 'vitest';
import {
  afterBusinessDays,
  CalendarMissingError,
  isWorkingDay,
  knownCalendar,
  nextWorkingDayAt,
  type Calendar,
} from '../../../domain/clocks/conventions';

const PARIS = 'Europe/Paris';
const NEW_YORK = 'America/New_York';
const FR: Calendar = { country: 'FR', zone: PARIS };
const US: Calendar = { country: 'US', zone: NEW_YORK };
const BR: Calendar = { country: 'BR', zone: 'America/Sao_Paulo' };
const d = (iso: string) => new Date(iso);

describe('business days: skip Saturdays, Sundays and observed public holidays', () => {
  it.each([
    {
      cite: 'SEC Form 8-K Item 1.05: Thu 2 Jul 2026, Fri 3 Jul is Independence Day observed → Thu 9 Jul 17:30',
      anchor: '2026-07-02T18:00:00.000Z',
      due: '2026-07-09T21:30:00.000Z',
    },
    {
      cite: 'SEC Form 8-K Item 1.05: determination on Friday 10 Jul 2026 → Thu 16 Jul 17:30 EDT',
      anchor: '2026-07-10T19:00:00.000Z',
      due: '2026-07-16T21:30:00.000Z',
    },
    {
      cite: 'SEC Form 8-K Item 1.05: Friday 6 Nov 2026, Veterans Day Wed 11 Nov skipped → Fri 13 Nov 17:30 EST',
      anchor: '2026-11-06T16:00:00.000Z',
      due: '2026-11-13T22:30:00.000Z',
    },
    {
      cite: 'SEC Form 8-K Item 1.05: Tue 24 Nov 2026, two days before Thanksgiving → Tue 1 Dec 17:30 EST',
      anchor: '2026-11-24T15:00:00.000Z',
      due: '2026-12-01T22:30:00.000Z',
    },
    {
      cite: '5 U.S.C. 6103(b): Veterans Day Sat 11 Nov 2028 observed Fri 10 Nov → Thu 16 Nov',
      anchor: '2028-11-09T15:00:00.000Z',
      due: '2028-11-16T22:30:00.000Z',
    },
    {
      cite: '5 U.S.C. 6103(b): New Year Sat 1 Jan 2028 observed Fri 31 Dec 2027 → Wed 5 Jan 2028',
      anchor: '2027-12-29T15:00:00.000Z',
      due: '2028-01-05T22:30:00.000Z',
    },
    {
      cite: 'SEC Form 8-K Item 1.05: 2 Jul 03:30Z is still Wed 1 Jul in New York → Wed 8 Jul 17:30',
      anchor: '2026-07-02T03:30:00.000Z',
      due: '2026-07-08T21:30:00.000Z',
    },
  ])('$cite', ({ anchor, due }) => {
    expect(afterBusinessDays(d(anchor), 4, US, '17:30').toISOString()).toBe(due);
  });

  // Carnival (Mon–Tue before Ash Wednesday) and Corpus Christi are not national public holidays in
  // Brazil (federal "ponto facultativo"; date-holidays types them 'bank'/'optional'), so they count as
  // working days: the earlier, safe deadline. An office that closes for them may only ever file early.
  it.each([
    {
      cite: 'ANPD Res. 15/2024 Art. 6: Mon 20 Apr 2026, Tiradentes Tue 21 Apr skipped → Fri 24 Apr',
      anchor: '2026-04-20T13:00:00.000Z',
      due: '2026-04-25T02:59:59.999Z',
    },
    {
      cite: 'ANPD Res. 15/2024 Art. 6: Fri 13 Feb 2026, Carnival 16–17 Feb counted → Wed 18 Feb',
      anchor: '2026-02-13T13:00:00.000Z',
      due: '2026-02-19T02:59:59.999Z',
    },
    {
      cite: 'ANPD Res. 15/2024 Art. 6: Thu 2 Apr 2026, Good Friday 3 Apr skipped → Wed 8 Apr',
      anchor: '2026-04-02T13:00:00.000Z',
      due: '2026-04-09T02:59:59.999Z',
    },
    {
      cite: 'ANPD Res. 15/2024 Art. 6: Wed 3 Jun 2026, Corpus Christi 4 Jun counted → Mon 8 Jun',
      anchor: '2026-06-03T13:00:00.000Z',
      due: '2026-06-09T02:59:59.999Z',
    },
  ])('$cite', ({ anchor, due }) => {
    expect(afterBusinessDays(d(anchor), 3, BR).toISOString()).toBe(due);
  });
});

describe('working days: the public holidays as observed, and only those', () => {
  it.each([
    {
      cite: '5 U.S.C. 6103(b): Fri 3 Jul 2026 is Independence Day observed',
      cal: US,
      at: '2026-07-03T15:00:00.000Z',
      working: false,
    },
    { cite: '5 U.S.C. 6103(a): Thanksgiving Thu 26 Nov 2026', cal: US, at: '2026-11-26T15:00:00.000Z', working: false },
    {
      cite: '5 U.S.C. 6103(a): the day after Thanksgiving is no federal holiday',
      cal: US,
      at: '2026-11-27T15:00:00.000Z',
      working: true,
    },
    {
      cite: '5 U.S.C. 6103(a): Christmas Eve Thu 24 Dec 2026 is no federal holiday',
      cal: US,
      at: '2026-12-24T15:00:00.000Z',
      working: true,
    },
    {
      cite: 'Lei 662/1949 Art. 1: Tiradentes Tue 21 Apr 2026',
      cal: BR,
      at: '2026-04-21T15:00:00.000Z',
      working: false,
    },
    {
      cite: 'Lei 662/1949 Art. 1: Carnival Mon 16 Feb 2026 is no national holiday',
      cal: BR,
      at: '2026-02-16T15:00:00.000Z',
      working: true,
    },
    {
      cite: 'Code du travail L3133-1: Fête nationale Tue 14 Jul 2026',
      cal: FR,
      at: '2026-07-14T10:00:00.000Z',
      working: false,
    },
    {
      cite: 'Code du travail L3133-1: Sat 11 Jul 2026 is a weekend day',
      cal: FR,
      at: '2026-07-11T10:00:00.000Z',
      working: false,
    },
  ])('$cite', ({ cal, at, working }) => {
    expect(isWorkingDay(d(at), cal)).toBe(working);
  });

  it.each([
    {
      cite: 'DORA Reg. 2025/301 Art. 5(4): Saturday 11 Jul 2026 → Mon 13 Jul 12:00',
      at: '2026-07-11T10:00:00.000Z',
      next: '2026-07-13T10:00:00.000Z',
    },
    {
      cite: 'DORA Reg. 2025/301 Art. 5(4): Fête nationale Tue 14 Jul 2026 → Wed 15 Jul 12:00',
      at: '2026-07-14T08:00:00.000Z',
      next: '2026-07-15T10:00:00.000Z',
    },
    {
      cite: 'DORA Reg. 2025/301 Art. 5(4): 13 Jul 22:30Z is 14 Jul 00:30 in Paris → Wed 15 Jul 12:00',
      at: '2026-07-13T22:30:00.000Z',
      next: '2026-07-15T10:00:00.000Z',
    },
    {
      cite: 'DORA Reg. 2025/301 Art. 5(4): Fête du travail Fri 1 May 2026 → Mon 4 May 12:00',
      at: '2026-05-01T09:00:00.000Z',
      next: '2026-05-04T10:00:00.000Z',
    },
    {
      cite: 'DORA Reg. 2025/301 Art. 5(4): Easter Monday 6 Apr 2026 → Tue 7 Apr 12:00',
      at: '2026-04-06T09:00:00.000Z',
      next: '2026-04-07T10:00:00.000Z',
    },
    {
      cite: 'DORA Reg. 2025/301 Art. 5(4): Ascension Thu 14 May 2026 → Fri 15 May 12:00',
      at: '2026-05-14T09:00:00.000Z',
      next: '2026-05-15T10:00:00.000Z',
    },
    {
      cite: 'DORA Reg. 2025/301 Art. 5(4): Sat 26 Dec 2026 → Mon 28 Dec 12:00 CET',
      at: '2026-12-26T09:00:00.000Z',
      next: '2026-12-28T11:00:00.000Z',
    },
    {
      cite: 'DORA Reg. 2025/301 Art. 5(4): a working day keeps its limit',
      at: '2026-07-15T14:07:00.000Z',
      next: '2026-07-15T14:07:00.000Z',
    },
  ])('$cite', ({ at, next }) => {
    expect(nextWorkingDayAt(d(at), FR, '12:00').toISOString()).toBe(next);
  });
});

describe('calendars that must exist', () => {
  it.each([
    { cite: 'issue 13 bad input: a known country', country: 'FR', region: undefined, known: true },
    { cite: 'issue 13 bad input: a known US state', country: 'US', region: 'NY', known: true },
    { cite: 'issue 13 bad input: an ISO 3166-2 code is accepted', country: 'US', region: 'US-NY', known: true },
    { cite: 'issue 13 bad input: an unknown country', country: 'XX', region: undefined, known: false },
    { cite: 'issue 13 bad input: an unknown region of a known country', country: 'US', region: 'ZZ', known: false },
  ])('$cite', ({ country, region, known }) => {
    expect(knownCalendar(country, region)).toBe(known);
  });

  it('issue 13 bad input: counting business days on an unknown calendar is refused, naming the country', () => {
    const count = () => afterBusinessDays(d('2026-07-02T18:00:00.000Z'), 4, { country: 'XX', zone: NEW_YORK });
    expect(count).toThrow(CalendarMissingError);
    expect(count).toThrow(/country 'XX'/);
  });
});
