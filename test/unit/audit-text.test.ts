import { describe, expect, it } from 'vitest';
import { CLOSING_ACTION, chainEntry, type AuditEntry, type AuditRecord } from '../../domain/audit-chain';
import { readAuditText, verifiedChain, verifyAuditText, verifyReadAuditText } from '../../domain/audit-text';

// verifyAuditText checks a trail a few hundred entries at a time and keeps only their hashes; whatever
// is wrong, and wherever it falls against those runs, its verdict must be the one the whole trail read
// at once gives (verifyChain over every entry).

const INCIDENT = 'INC-TEXT-1';
const ENTRIES = 1300; // past two runs of 512

const record = (seq: number, action = 'containment.isolated', incidentId = INCIDENT): AuditRecord => ({
  incidentId,
  seq,
  at: new Date(Date.UTC(2026, 2, 28) + seq * 1000).toISOString(),
  actor: 'carol',
  action,
  details: { system: `web-${seq % 5}` },
});

function chain(records: AuditRecord[]): AuditEntry[] {
  const out: AuditEntry[] = [];
  for (const r of records) out.push(chainEntry(out[out.length - 1], r));
  return out;
}

const good = chain(Array.from({ length: ENTRIES }, (_, i) => record(i + 1)));
const lines = good.map((e) => JSON.stringify(e));
const text = (ls: string[]) => ls.map((l) => `${l}\n`).join('');
const without = (i: number) => text(lines.filter((_, j) => j !== i));
const replaced = (i: number, line: string) => text(lines.map((l, j) => (j === i ? line : l)));
const swapped = (i: number) => text(lines.map((l, j) => (j === i ? lines[i + 1] : j === i + 1 ? lines[i] : l)));
const closedAt = (i: number) =>
  text(
    chain(good.map((e, j) => ({ ...e, action: j === i ? CLOSING_ACTION : e.action }))).map((e) => JSON.stringify(e)),
  );

const CASES: Record<string, string> = { 'a good trail': text(lines), 'an empty trail': '' };
for (const i of [0, 510, 511, 512, 1023, 1024, ENTRIES - 1]) {
  CASES[`entry ${i + 1} changed without its hash`] = replaced(i, lines[i].replace('"carol"', '"mallory"'));
  CASES[`entry ${i + 1} removed`] = without(i);
  CASES[`entry ${i + 1} from another incident`] = replaced(i, JSON.stringify(chain([record(1, 'x', 'INC-TEXT-2')])[0]));
  CASES[`line ${i + 1} not JSON`] = replaced(i, '{"seq":');
  if (i < ENTRIES - 1) CASES[`entries ${i + 1} and ${i + 2} swapped`] = swapped(i);
  if (i < ENTRIES - 1) CASES[`entry ${i + 1} closing, with entries after it`] = closedAt(i);
}
CASES['a torn last line'] = text(lines).slice(0, -30);

describe('verifyAuditText, a few hundred entries at a time', () => {
  it('gives the verdict of the whole trail read at once, wherever the damage falls', () => {
    for (const [name, t] of Object.entries(CASES)) {
      const whole = verifyReadAuditText(readAuditText(t), INCIDENT);
      expect(verifyAuditText(t, INCIDENT), name).toEqual(whole);
      expect(verifiedChain(t, INCIDENT) !== undefined, name).toBe(whole.ok);
      // A chain alone cannot tell its last entry was cut off: the checkpoints do.
      expect(whole.ok, name).toBe(['a good trail', 'an empty trail', `entry ${ENTRIES} removed`].includes(name));
    }
  });

  it('keeps each entry hash in order for a trail that verifies', () => {
    expect(verifiedChain(text(lines), INCIDENT)?.hashes).toEqual(good.map((e) => e.hash));
  });
});
