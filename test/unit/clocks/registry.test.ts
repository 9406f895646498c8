import { describe, expect, it } from 'vitest';
import { EVENT_DESCRIPTIONS } from '../../../domain/clocks/events';
import { REGIME_PACKS } from '../../../domain/clocks/registry';
import { EVENT_NAMES, REGIME_IDS } from '../../../domain/clocks/types';

// The registry is what `incident clocks --list`, the README tables and the workflow all read: every
// public regime id has its pack under that id, and every event a pack reads is one a person can record.

describe('the regime registry', () => {
  it('holds one pack per public regime id, under its own id', () => {
    expect(Object.keys(REGIME_PACKS)).toEqual([...REGIME_IDS]);
    for (const [id, pack] of Object.entries(REGIME_PACKS)) expect(pack.id).toBe(id);
  });

  it('has every statutory rule cite its article, a version and a date it applies from', () => {
    for (const pack of Object.values(REGIME_PACKS))
      for (const r of pack.rules) {
        // A contract clock cites the customer's contract (or the policy's fallback), not a statute.
        expect(r.citation, r.id).toMatch(pack.id === 'contract' ? /contract|policy/ : /Art\.|CFR|NYCRR|Item|§/);
        expect(r.version, r.id).not.toBe('');
        expect(r.appliesFrom, r.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }
  });

  it('reads only events a person can record, each explained by --list', () => {
    const explained = EVENT_DESCRIPTIONS.map((e) => e.name);
    expect(explained.filter((n) => !n.startsWith('submitted:'))).toEqual(expect.arrayContaining([...EVENT_NAMES]));
    for (const pack of Object.values(REGIME_PACKS))
      for (const e of pack.events)
        expect((EVENT_NAMES as readonly string[]).includes(e) || e.startsWith('submitted:'), `${pack.id}: ${e}`).toBe(
          true,
        );
  });
});
