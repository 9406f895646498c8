import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../domain/canonical-json';

// Every hash in every trail already written depends on canonicalJson's spelling, so its faster rewrite
// must spell every value exactly as the first version did. That version is kept here as the reference.
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
