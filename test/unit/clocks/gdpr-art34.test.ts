import { describe, expect, it } from 'vitest';
import { gdprArt34Pack } from '../../../domain/clocks/regimes/gdpr-art34';
import type { ClockFacts, ClockOptions } from '../../../domain/clocks/types';
import { ctx, ev, only, questions } from './eu-context';

// GDPR (EU) 2016/679 Art. 34: "without undue delay", by the organisation's target in elapsed hours.

describe("GDPR Art. 34: the data subjects, by the organisation's target", () => {
  const AWARE = [ev('awareness', '2026-03-10T08:00:00.000Z')];
  const HIGH: ClockFacts = { personalData: true, highRisk: true };
  it.each([
    {
      cite: 'GDPR Art. 34(1): high risk → communication, default target 72 h',
      facts: HIGH,
      options: {} as ClockOptions,
      due: '2026-03-13T08:00:00.000Z',
      recipient: 'the data subjects',
    },
    {
      cite: "GDPR Art. 34(1): the organisation's own target (48 h)",
      facts: HIGH,
      options: { art34TargetHours: 48 },
      due: '2026-03-12T08:00:00.000Z',
      recipient: 'the data subjects',
    },
    {
      cite: 'GDPR Art. 34(3)(c): a public communication replaces the individual one, the duty remains',
      facts: { ...HIGH, art34Exemption: 'public-communication' },
      options: {},
      due: '2026-03-13T08:00:00.000Z',
      recipient: 'the public (Art. 34(3)(c))',
    },
  ])('$cite', ({ facts, options, due, recipient }) => {
    const communication = only(gdprArt34Pack.evaluate(ctx(AWARE, facts, options)), 'gdpr-art34-communication');
    expect(communication).toMatchObject({ dueAt: due, recipient, convention: 'hours', roles: ['dpo', 'legal'] });
    expect(communication.rule.citation).toMatch(/Art\. 34\(1\).*organisation's target/);
  });

  it.each([
    {
      cite: 'GDPR Art. 34(3)(a): data encrypted → no communication',
      facts: { ...HIGH, art34Exemption: 'encrypted' },
      asked: [],
    },
    {
      cite: 'GDPR Art. 34(3)(b): risk removed → no communication',
      facts: { ...HIGH, art34Exemption: 'risk-removed' },
      asked: [],
    },
    {
      cite: 'GDPR Art. 34(1): not a high risk → no communication',
      facts: { personalData: true, highRisk: false },
      asked: [],
    },
    { cite: 'GDPR Art. 34(1): no personal data → no communication', facts: { personalData: false }, asked: [] },
    {
      cite: 'GDPR Art. 34(1): high risk unanswered → undecided',
      facts: { personalData: true },
      asked: ['answer high-risk=yes|no'],
    },
    {
      cite: 'GDPR Art. 34(1): personal data unanswered → undecided',
      facts: {},
      asked: ['answer personal-data=yes|no'],
    },
  ])('$cite', ({ facts, asked }) => {
    const outcome = gdprArt34Pack.evaluate(ctx(AWARE, facts as ClockFacts));
    expect(outcome.obligations).toEqual([]);
    expect(questions(outcome)).toEqual(asked);
  });

  it('GDPR Art. 34(3): an exemption the article does not know is not applied', () => {
    const outcome = gdprArt34Pack.evaluate(ctx(AWARE, { ...HIGH, art34Exemption: 'pseudonymised' }));
    const communication = only(outcome, 'gdpr-art34-communication');
    expect(communication.recipient).toBe('the data subjects');
    expect(communication.why.join(' ')).toMatch(/"pseudonymised" is none of Art\. 34\(3\)/);
  });
});
