import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CLOSING_ACTION, chainEntry, type AuditEntry, type AuditRecord } from '../../domain/audit-chain';
import { signCheckpoint, trailKeyId, trailKeysFrom } from '../../domain/audit-checkpoint';
import { verifyTrail, type TrailToVerify } from '../../domain/trail-verification';
import { precheckTrail, verifyTrailParallel } from '../../platform/trail-verify-parallel';

// The parallel verification of a long trail (its parts on several threads) must reach the very verdict
// the plain one reaches, on a good trail and on every kind of tampering, wherever in the parts it is.
// The workers run the build's copy of the part checker (npm test builds first).

const INCIDENT = 'INC-PAR-1';
const OTHER = 'INC-PAR-2';
const ENTRIES = 400;

const own = generateKeyPairSync('ed25519');
const foreign = generateKeyPairSync('ed25519');
const keys = trailKeysFrom([own.publicKey]);
const ownKeyId = trailKeyId(own.publicKey);
const foreignKeyId = trailKeyId(foreign.publicKey);

function record(seq: number, incidentId = INCIDENT, action = 'containment.isolated'): AuditRecord {
  const at = new Date(Date.UTC(2026, 2, 28) + seq * 1000).toISOString();
  return { incidentId, seq, at, actor: 'carol', action, details: { system: `web-${seq % 7}`, step: seq } };
}

function chain(records: AuditRecord[]): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (const r of records) entries.push(chainEntry(entries[entries.length - 1], r));
  return entries;
}

const cpLine = (e: AuditEntry, key = own.privateKey, keyId = ownKeyId) =>
  JSON.stringify(signCheckpoint({ incidentId: e.incidentId, seq: e.seq, hash: e.hash, at: e.at, keyId }, key));
const lines = (xs: string[]) => xs.map((l) => `${l}\n`).join('');

const records = Array.from({ length: ENTRIES }, (_, i) =>
  record(i + 1, INCIDENT, i === ENTRIES - 1 ? CLOSING_ACTION : undefined),
);
const good = chain(records);
const goodTrail = lines(good.map((e) => JSON.stringify(e)));
const goodCheckpoints = lines(good.map((e) => cpLine(e)));
const MIDDLE = ENTRIES / 2; // the first line of the second part when there are two

/** The trail with entry `seq` changed and every hash after it recomputed with the project's own chainEntry. */
function rewritten(seq: number): string {
  const changed = records.map((r) => (r.seq === seq ? { ...r, details: { ...r.details, system: 'forged' } } : r));
  return lines(chain(changed).map((e) => JSON.stringify(e)));
}

const trailLines = goodTrail.trimEnd().split('\n');
const cpLines = goodCheckpoints.trimEnd().split('\n');
const replaceLine = (text: string[], index: number, line: string | undefined) =>
  lines(text.flatMap((l, i) => (i !== index ? [l] : line === undefined ? [] : [line])));

const CASES: Record<string, Partial<TrailToVerify>> = {
  'a good, closed trail': {},
  'a good trail with blank lines': {
    trailText: goodTrail.replace(/\n/g, '\n\n'),
    checkpointsText: `\n${goodCheckpoints}`,
  },
  'a good trail with CRLF line ends': {
    trailText: goodTrail.replace(/\n/g, '\r\n'),
    checkpointsText: goodCheckpoints.replace(/\n/g, '\r\n'),
  },
  'a good trail after a long run of blank lines': { trailText: '\n  \n'.repeat(ENTRIES * 200) + goodTrail },
  'a truncated trail': { trailText: lines(trailLines.slice(0, ENTRIES - 37)) },
  'a rewrite with recomputed hashes in the second part': { trailText: rewritten(MIDDLE + 20) },
  'a rewrite with recomputed hashes at the first line of the second part': { trailText: rewritten(MIDDLE + 1) },
  'an entry changed without its hash, last of the first part': {
    trailText: replaceLine(trailLines, MIDDLE - 1, trailLines[MIDDLE - 1].replace('"carol"', '"mallory"')),
  },
  'an entry removed at the boundary': { trailText: replaceLine(trailLines, MIDDLE, undefined) },
  'an entry moved in from another incident': {
    trailText: replaceLine(trailLines, MIDDLE + 3, JSON.stringify(chain([record(1, OTHER)])[0])),
  },
  'a line that is not JSON in the second part': { trailText: replaceLine(trailLines, MIDDLE + 5, '{"seq": 206,') },
  'a torn last line': { trailText: goodTrail.slice(0, -40) },
  'an entry after the closing entry': {
    trailText: lines([...trailLines, JSON.stringify(chainEntry(good[ENTRIES - 1], record(ENTRIES + 1)))]),
  },
  'an altered checkpoint in the second part': {
    checkpointsText: replaceLine(cpLines, MIDDLE + 9, cpLines[MIDDLE + 9].replace('"at":"2026', '"at":"2027')),
  },
  'a checkpoint signed with a foreign key': {
    checkpointsText: replaceLine(cpLines, MIDDLE + 2, cpLine(good[MIDDLE + 2], foreign.privateKey, foreignKeyId)),
  },
  'a checkpoint signed by a foreign key under our key id': {
    checkpointsText: replaceLine(cpLines, 3, cpLine(good[3], foreign.privateKey, ownKeyId)),
  },
  'no checkpoint file': { checkpointsText: undefined },
  'an unfinished checkpoint file': { checkpointsText: goodCheckpoints.slice(0, -25) },
  'the last checkpoints removed': { checkpointsText: lines(cpLines.slice(0, ENTRIES - 12)) },
  'a trail that is empty': { trailText: '' },
};

describe('verifying a trail in parallel parts', () => {
  for (const [name, change] of Object.entries(CASES)) {
    it(`reaches the plain verdict on ${name}, in 2, 3 and 7 parts`, async () => {
      const t: TrailToVerify = {
        incidentId: INCIDENT,
        trailText: goodTrail,
        checkpointsText: goodCheckpoints,
        keys,
        ...change,
      };
      const plain = verifyTrail(t);
      expect(plain.ok).toBe(name.startsWith('a good'));
      for (const threads of [2, 3, 7]) {
        const prechecked = await precheckTrail(t, { threads, minWork: 0 });
        // The parallel answers were worked out, not skipped: the signatures always, the chain when it holds.
        expect(prechecked.signatureValid).toBeDefined();
        expect(prechecked.chain !== undefined).toBe(plain.checks[0].ok);
        expect(verifyTrail(t, prechecked)).toEqual(plain);
      }
      expect(await verifyTrailParallel(t, { threads: 2, minWork: 0 })).toEqual(plain);
    });
  }

  it('names what was wrong exactly as the plain check does (a rewrite caught by its checkpoint)', async () => {
    const verdict = await verifyTrailParallel(
      { incidentId: INCIDENT, trailText: rewritten(MIDDLE + 20), checkpointsText: goodCheckpoints, keys },
      { threads: 2, minWork: 0 },
    );
    expect(verdict.checks.map((c) => [c.check, c.ok])).toEqual([
      ['chain', true],
      ['checkpoints', false],
    ]);
    expect(verdict.checks[1].message).toBe(
      `entry ${MIDDLE + 20} does not match checkpoint ${MIDDLE + 20} (seq ${MIDDLE + 20}, signed at ${good[MIDDLE + 19].at}): the trail was rewritten`,
    );
  });
});
