import { describe, expect, it } from 'vitest';
import { computeClocks } from '../../../domain/clocks/engine';
import { AWARE, fakePack } from './fake-pack';

// The engine runs the packs an incident names, in each regime's zone, and sorts what they return.

describe('computeClocks', () => {
  it('runs only the regimes named, sorted by due instant then obligation id', () => {
    const packs = [
      fakePack('nis2', 'awareness', 72),
      fakePack('dora', 'awareness', 24),
      fakePack('lgpd', 'awareness', 24),
    ];
    const out = computeClocks(packs, { regimes: ['nis2', 'lgpd', 'dora'], events: [AWARE], facts: {}, options: {} });
    expect(out.obligations.map((o) => o.obligation)).toEqual(['dora-report', 'lgpd-report', 'nis2-report']);
    const two = computeClocks(packs, { regimes: ['nis2'], events: [AWARE], facts: {}, options: {} });
    expect(two.obligations.map((o) => o.obligation)).toEqual(['nis2-report']);
  });

  it("gives each pack the organisation's zone for it, else the pack's default", () => {
    const seen: string[] = [];
    const packs = [fakePack('sec-8k', 'awareness', 1, seen), fakePack('gdpr-art33', 'awareness', 1, seen)];
    computeClocks(packs, {
      regimes: ['sec-8k', 'gdpr-art33'],
      events: [AWARE],
      facts: {},
      options: { zones: { 'sec-8k': 'America/Chicago' } },
    });
    expect(seen).toEqual(['America/Chicago', 'Europe/Paris']);
  });

  it('keeps undecided entries and runs a regime named twice once', () => {
    const packs = [fakePack('hipaa', 'discovered', 1), fakePack('nydfs', 'awareness', 72)];
    const out = computeClocks(packs, { regimes: ['hipaa', 'nydfs', 'nydfs'], events: [AWARE], facts: {}, options: {} });
    expect(out.undecided).toEqual([{ regime: 'hipaa', question: 'answer discovered' }]);
    expect(out.obligations).toHaveLength(1);
  });

  it('sorts by instant, not by how the instant is written', () => {
    const early = fakePack('nis2', 'awareness', 0);
    const late = fakePack('dora', 'awareness', 0);
    late.evaluate = (ctx) => {
      const o = early.evaluate(ctx).obligations[0];
      return {
        obligations: [{ ...o, regime: 'dora', obligation: 'a', dueAt: '2026-03-02T10:30:00+00:00' }],
        undecided: [],
      };
    };
    early.evaluate = (ctx) => {
      const o = fakePack('nis2', 'awareness', 0).evaluate(ctx).obligations[0];
      return { obligations: [{ ...o, obligation: 'z', dueAt: '2026-03-02T11:00:00+01:00' }], undecided: [] };
    };
    const out = computeClocks([early, late], { regimes: ['dora', 'nis2'], events: [AWARE], facts: {}, options: {} });
    expect(out.obligations.map((o) => o.obligation)).toEqual(['z', 'a']);
  });
});
