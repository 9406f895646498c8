import { describe, expect, it } from 'vitest';
import { lgpdPack } from '../../../domain/clocks/regimes/lgpd';
import type { ClockEvent, ClockFacts, ClockOptions, ClockOutcome } from '../../../domain/clocks/types';

// Business days skip weekends and Brazil's national public holidays (Tiradentes, Tue 21 Apr 2026; Labour
// Day, Fri 1 May 2026); a deadline ends at 23:59:59.999 in São Paulo (UTC-3, no DST since 2019). Counted by
// hand and checked with `date -u -d 'TZ="America/Sao_Paulo" <day> 23:59:59.999'`.

const SP = 'America/Sao_Paulo';

function evaluate(events: ClockEvent[], facts: ClockFacts, options: ClockOptions = {}): ClockOutcome {
  return lgpdPack.evaluate({ events, facts, options, zone: SP });
}

function due(out: ClockOutcome, id: string): string | undefined {
  return out.obligations.find((o) => o.obligation === id)?.dueAt;
}

const personal: ClockFacts = { personalData: true };

describe('LGPD Art. 48 and Resolution CD/ANPD No. 15/2024: three business days from knowing personal data was hit', () => {
  it.each([
    {
      cite: 'Res. CD/ANPD 15/2024 Art. 6 caput and §1',
      case: 'Mon 20 Apr 2026: Tiradentes skipped, Wed 22, Thu 23, Fri 24 Apr',
      at: '2026-04-20T13:00:00.000Z',
      id: 'lgpd-anpd',
      small: false,
      expected: '2026-04-25T02:59:59.999Z',
    },
    {
      cite: 'Res. CD/ANPD 15/2024 Art. 6 caput and §1',
      case: 'Thu 16 Apr 2026: Fri 17, the weekend and Tiradentes skipped, Mon 20, Wed 22 Apr',
      at: '2026-04-16T13:00:00.000Z',
      id: 'lgpd-anpd',
      small: false,
      expected: '2026-04-23T02:59:59.999Z',
    },
    {
      cite: 'Res. CD/ANPD 15/2024 Art. 9 caput',
      case: 'the data subjects on the same three business days',
      at: '2026-04-20T13:00:00.000Z',
      id: 'lgpd-data-subjects',
      small: false,
      expected: '2026-04-25T02:59:59.999Z',
    },
    {
      cite: 'Res. CD/ANPD 15/2024 Art. 6 §8',
      case: 'a small processing agent counts double: six business days, to Wed 29 Apr',
      at: '2026-04-20T13:00:00.000Z',
      id: 'lgpd-anpd',
      small: true,
      expected: '2026-04-30T02:59:59.999Z',
    },
  ])('$cite: $case', ({ at, id, small, expected }) => {
    const out = evaluate([{ name: 'awareness', at }], personal, { lgpdSmallAgent: small });
    const ob = out.obligations.find((o) => o.obligation === id);
    expect(ob?.dueAt).toBe(expected);
    expect(ob?.convention).toBe('business-days');
    expect(ob?.roles).toEqual(['dpo', 'legal']);
    expect(ob?.anchor).toEqual({ event: 'awareness', at });
    expect(ob?.rule.appliesFrom).toBe('2024-04-26');
  });

  it.each([
    {
      cite: 'Res. CD/ANPD 15/2024 Art. 6 §3',
      case: 'submitted Fri 24 Apr 2026: 20 business days, Labour Day skipped, to Mon 25 May',
      small: false,
      expected: '2026-05-26T02:59:59.999Z',
    },
    {
      cite: 'Res. CD/ANPD 15/2024 Art. 6 §3 and §8',
      case: 'a small processing agent: 40 business days, to Mon 22 June (Corpus Christi is not a national holiday)',
      small: true,
      expected: '2026-06-23T02:59:59.999Z',
    },
  ])('$cite: $case', ({ small, expected }) => {
    const submitted: ClockEvent = { name: 'submitted:lgpd-anpd', at: '2026-04-24T18:00:00.000Z' };
    const out = evaluate([{ name: 'awareness', at: '2026-04-20T13:00:00.000Z' }, submitted], personal, {
      lgpdSmallAgent: small,
    });
    expect(due(out, 'lgpd-supplement')).toBe(expected);
    expect(out.obligations.find((o) => o.obligation === 'lgpd-supplement')?.recipient).toBe('ANPD');
  });

  it.each([
    {
      cite: 'LGPD Art. 48',
      case: 'personal data unanswered: undecided',
      facts: {},
      undecided: [{ regime: 'lgpd', obligation: 'lgpd-anpd', question: 'answer personal-data=yes|no' }],
    },
    {
      cite: 'LGPD Art. 48',
      case: 'no personal data: nothing owed, nothing asked',
      facts: { personalData: false },
      undecided: [],
    },
    {
      cite: 'LGPD Art. 48; Res. CD/ANPD 15/2024 Art. 5',
      case: 'assessed as no risk to people: no relevant risk, nothing owed',
      facts: { personalData: true, riskToPeople: false },
      undecided: [],
    },
  ])('$cite: $case', ({ facts, undecided }) => {
    const out = evaluate([{ name: 'awareness', at: '2026-04-20T13:00:00.000Z' }], facts);
    expect(out).toEqual({ obligations: [], undecided });
  });
});
