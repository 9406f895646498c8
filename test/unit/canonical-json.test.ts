import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, entryHash, type AuditRecord } from '../../domain/audit-chain';
import { canonicalJson } from '../../domain/canonical-json';

// Every hash in every trail already written depends on canonicalJson's spelling, so its faster rewrite
// (and entryHash's own spelling of the hashed fields) must spell every value exactly as the first
// version did. That version is kept here as the reference.
function referenceCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : referenceCanonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${referenceCanonicalJson(v)}`).join(',')}}`;
}

const sparse: unknown[] = [1];
sparse[3] = 'after a hole';

const VALUES: unknown[] = [
  null,
  undefined,
  true,
  0,
  -0,
  1e21,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  -12.5,
  '',
  'quote " backslash \\ newline \n tab \t nul \u0000',
  'lone surrogate \ud800 and emoji 😀',
  [],
  {},
  [undefined, null, [undefined], { a: undefined }],
  sparse,
  { b: 1, a: 2, 10: 'ten', 2: 'two', '': 'empty', é: 'e acute', '😀': 'astral', '～': 'fullwidth tilde' },
  { nested: { z: [{ y: 1, x: [2, { w: undefined, v: 'v' }] }], a: null }, fn: () => 1, date: new Date(0) },
  {
    incidentId: 'INC-2026-042',
    seq: 3,
    at: '2026-03-28T15:20:00.000Z',
    actor: 'carol',
    action: 'evidence.collected',
    details: { system: 'db-1', sha256: 'ab'.repeat(32), sizeBytes: 1048576, note: undefined, tags: ['disk', 'image'] },
  },
];

describe('canonicalJson', () => {
  it('spells every kind of value exactly as the reference spelling that existing trails were hashed with', () => {
    for (const value of VALUES) expect(canonicalJson(value)).toBe(referenceCanonicalJson(value));
  });

  it('sorts keys by UTF-16 code units, as the reference does (an astral character before a fullwidth one)', () => {
    expect(canonicalJson({ '～': 1, '😀': 2 })).toBe('{"😀":2,"～":1}');
  });

  it('spells a sparse array as the reference did, and an undefined element as null', () => {
    expect(canonicalJson(sparse)).toBe('[1,,,"after a hole"]');
    expect(canonicalJson([undefined])).toBe('[null]');
  });
});

describe('entryHash', () => {
  const base = { incidentId: 'INC-1', seq: 1, at: '2026-03-28T15:00:00.000Z', actor: 'alice', action: 'x' };
  const records: unknown[] = [
    { ...base, details: { b: [1, { d: 2, c: undefined }], a: 'é' } },
    { ...base, details: {} },
    { ...base, details: null },
    { ...base, details: ['not', 'an', 'object'] },
    { ...base, seq: '1', details: {} },
    { ...base, actor: undefined, details: {} },
    { ...base, at: 12, action: null, details: { a: 1 } },
  ];

  it('hashes the previous hash and the canonical JSON of the six hashed fields, whatever their types', () => {
    for (const record of records) {
      const { incidentId, seq, at, actor, action, details } = record as AuditRecord;
      const expected = createHash('sha256')
        .update(GENESIS_HASH)
        .update(referenceCanonicalJson({ incidentId, seq, at, actor, action, details }))
        .digest('hex');
      expect(entryHash(GENESIS_HASH, record as AuditRecord)).toBe(expected);
    }
  });
});
