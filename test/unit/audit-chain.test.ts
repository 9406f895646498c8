import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CLOSING_ACTION,
  GENESIS_HASH,
  canonicalJson,
  chainEntry,
  entryHash,
  verifyChain,
  type AuditEntry,
  type AuditRecord,
} from '../../domain/audit-chain';

const INCIDENT = 'INC-2026-042';

const RECORDS: Omit<AuditRecord, 'incidentId' | 'seq'>[] = [
  {
    at: '2026-03-28T15:00:00.000Z',
    actor: 'alice',
    action: 'incident.opened',
    details: { title: 'Unauthorised access', systems: ['db-1'] },
  },
  {
    at: '2026-03-28T15:00:01.000Z',
    actor: 'system',
    action: 'notify.senior-alerted',
    details: { level: 0, to: ['cto@example.com'] },
  },
  {
    at: '2026-03-28T15:20:00.000Z',
    actor: 'carol',
    action: 'evidence.collected',
    details: { system: 'db-1', sha256: 'ab'.repeat(32), sizeBytes: 1048576 },
  },
  {
    at: '2026-03-28T16:00:00.000Z',
    actor: 'dpo-bob',
    action: 'breach.assessed',
    details: { dataImpact: 'personal', regulatorRequired: true },
  },
  {
    at: '2026-03-30T10:00:00.000Z',
    actor: 'dpo-bob',
    action: 'regulator.filed',
    details: { reference: 'CNIL-2026-0042' },
  },
];

/** A chain of the five records above, built as the workflow builds it. */
function buildChain(records = RECORDS, incidentId = INCIDENT): AuditEntry[] {
  const chain: AuditEntry[] = [];
  records.forEach((r, i) => chain.push(chainEntry(chain[i - 1], { incidentId, seq: i + 1, ...r })));
  return chain;
}

const clone = (chain: AuditEntry[]): AuditEntry[] => JSON.parse(JSON.stringify(chain));

describe('building the chain', () => {
  it('links the first entry to the genesis hash and each later entry to the one before', () => {
    const chain = buildChain();
    expect(chain).toHaveLength(5);
    expect(chain[0].prevHash).toBe(GENESIS_HASH);
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    for (let i = 1; i < chain.length; i++) expect(chain[i].prevHash).toBe(chain[i - 1].hash);
    expect(chain.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('each hash is SHA-256 of the previous hash followed by the canonical JSON of the entry', () => {
    const [first] = buildChain();
    const expected = createHash('sha256')
      .update(GENESIS_HASH)
      .update(
        '{"action":"incident.opened","actor":"alice","at":"2026-03-28T15:00:00.000Z","details":{"systems":["db-1"],"title":"Unauthorised access"},"incidentId":"INC-2026-042","seq":1}',
      )
      .digest('hex');
    expect(first.hash).toBe(expected);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('verifyChain', () => {
  it('accepts an untouched chain and reports its length and last hash', () => {
    const chain = buildChain();
    expect(verifyChain(chain, INCIDENT)).toEqual({ ok: true, entries: 5, lastHash: chain[4].hash, closed: false });
  });

  it('accepts a chain that survived a JSON round trip (one line per entry in a file)', () => {
    const lines = buildChain().map((e) => JSON.stringify(e));
    expect(verifyChain(lines.map((l) => JSON.parse(l) as AuditEntry)).ok).toBe(true);
  });

  it('reports a chain that ends with the closing entry as closed', () => {
    const chain = buildChain([
      ...RECORDS,
      { at: '2026-04-02T09:00:00.000Z', actor: 'alice', action: CLOSING_ACTION, details: {} },
    ]);
    expect(verifyChain(chain)).toMatchObject({ ok: true, entries: 6, closed: true });
  });

  it('names line 3 as modified when a detail of entry 3 was changed (a forged hash)', () => {
    const chain = clone(buildChain());
    chain[2].details.sha256 = 'cd'.repeat(32);
    expect(verifyChain(chain, INCIDENT)).toEqual({
      ok: false,
      entries: 5,
      line: 3,
      seq: 3,
      problem: 'was modified after it was written: its hash does not match its content',
    });
  });

  it('names line 3 as modified when its actor or time was changed', () => {
    const byActor = clone(buildChain());
    byActor[2].actor = 'mallory';
    const byTime = clone(buildChain());
    byTime[2].at = '2026-03-28T15:10:00.000Z';
    for (const chain of [byActor, byTime]) {
      const r = verifyChain(chain);
      expect(r.ok).toBe(false);
      expect(r).toMatchObject({ line: 3, seq: 3 });
      if (!r.ok) expect(r.problem).toContain('modified');
    }
  });

  it('an entry re-hashed after modification still breaks the link of the entry after it', () => {
    const chain = clone(buildChain());
    chain[2].details.sha256 = 'cd'.repeat(32);
    chain[2].hash = entryHash(chain[2].prevHash, chain[2]);
    const r = verifyChain(chain);
    expect(r).toMatchObject({ ok: false, line: 4, seq: 4 });
    if (!r.ok)
      expect(r.problem).toBe(
        'does not link to the entry before it: an entry before it was removed, reordered or modified',
      );
  });

  it('names the line where entry 2 is missing when it was removed', () => {
    const chain = buildChain();
    chain.splice(1, 1);
    const r = verifyChain(chain);
    expect(r).toMatchObject({ ok: false, entries: 4, line: 2, seq: 3 });
    if (!r.ok) {
      expect(r.problem).toContain('removed');
      expect(r.problem).toContain('seq 3 where 2 was expected');
    }
  });

  it('names the gap when entries 2 to 4 were removed', () => {
    const chain = buildChain();
    chain.splice(1, 3);
    const r = verifyChain(chain);
    expect(r).toMatchObject({ ok: false, entries: 2, line: 2, seq: 5 });
    if (!r.ok) expect(r.problem).toBe('has seq 5 where 2 was expected: entries 2–4 were removed');
  });

  it('fails at line 2 when entries 2 and 3 were swapped, and says they were reordered, not removed', () => {
    const chain = buildChain();
    [chain[1], chain[2]] = [chain[2], chain[1]];
    const r = verifyChain(chain);
    expect(r).toMatchObject({ ok: false, entries: 5, line: 2, seq: 3 });
    if (!r.ok) {
      expect(r.problem).toContain('reordered');
      expect(r.problem).not.toContain('removed');
    }
  });

  it('fails when an entry is duplicated', () => {
    const chain = buildChain();
    chain.splice(2, 0, chain[1]);
    const r = verifyChain(chain);
    expect(r).toMatchObject({ ok: false, line: 3, seq: 2 });
    if (!r.ok) expect(r.problem).toContain('reordered or duplicated');
  });

  it('refuses an entry appended after incident.closed, even with a valid hash', () => {
    const closed = buildChain([
      ...RECORDS,
      { at: '2026-04-02T09:00:00.000Z', actor: 'alice', action: 'incident.closed', details: {} },
    ]);
    const appended = chainEntry(closed[5], {
      incidentId: INCIDENT,
      seq: 7,
      at: '2026-04-03T09:00:00.000Z',
      actor: 'mallory',
      action: 'note.added',
      details: { note: 'nothing to see' },
    });
    const r = verifyChain([...closed, appended], INCIDENT);
    expect(r).toEqual({
      ok: false,
      entries: 7,
      line: 7,
      seq: 7,
      problem: 'follows the closing entry: nothing may be appended after incident.closed',
    });
  });

  it('refuses a valid entry of another incident spliced into this file', () => {
    const chain = buildChain();
    const other = buildChain(RECORDS, 'INC-2026-099');
    const r = verifyChain([...chain.slice(0, 2), other[2], ...chain.slice(3)], INCIDENT);
    expect(r).toMatchObject({ ok: false, line: 3 });
    if (!r.ok) expect(r.problem).toBe('belongs to incident INC-2026-099, not INC-2026-042');
  });

  it('refuses a line that is not an audit entry', () => {
    const chain = buildChain();
    const r = verifyChain([chain[0], { hello: 'world' } as unknown as AuditEntry]);
    expect(r).toMatchObject({ ok: false, line: 2, problem: 'is not an audit entry' });
  });

  it('accepts an empty trail as ok with no entries', () => {
    expect(verifyChain([])).toEqual({ ok: true, entries: 0, lastHash: GENESIS_HASH, closed: false });
  });
});

describe('canonicalJson', () => {
  it('is independent of key order at every depth', () => {
    const a = { seq: 1, details: { to: ['x@y.z'], level: 0, nested: { b: 2, a: 1 } }, action: 'notify' };
    const b = { action: 'notify', details: { nested: { a: 1, b: 2 }, level: 0, to: ['x@y.z'] }, seq: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe(
      '{"action":"notify","details":{"level":0,"nested":{"a":1,"b":2},"to":["x@y.z"]},"seq":1}',
    );
  });

  it('keeps array order, which is meaningful', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('drops undefined fields so that an absent and an undefined detail hash the same', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(canonicalJson([undefined, null])).toBe('[null,null]');
  });

  it('gives the same entry hash whatever order the details were written in', () => {
    const base = { incidentId: INCIDENT, seq: 1, at: '2026-03-28T15:00:00.000Z', actor: 'alice', action: 'x' };
    expect(entryHash(GENESIS_HASH, { ...base, details: { a: 1, b: 2 } })).toBe(
      entryHash(GENESIS_HASH, { ...base, details: { b: 2, a: 1 } }),
    );
  });
});
