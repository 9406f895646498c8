import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainEntry, type AuditEntry } from '../../domain/audit-chain';
import {
  checkpointMessage,
  checkpointSignatureValid,
  parseCheckpoint,
  parseTrailPublicKey,
  publicKeyPem,
  signCheckpoint,
  trailKeyId,
  trailKeysFrom,
  type SignedCheckpoint,
} from '../../domain/audit-checkpoint';
import { formatHead, headArgument, parseHeadArgument } from '../../domain/trail-head';
import { checkpointsCheck, headCheck, verifyTrail } from '../../domain/trail-verification';

// The checks behind `incident audit --verify`, `incident evidence export` and the bundle verifier, on
// trails and checkpoint files built here: each case asserts the exact sentence a person reads.

const ID = 'INC-1';

function trail(n: number, incidentId = ID): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (let seq = 1; seq <= n; seq++)
    entries.push(
      chainEntry(entries.at(-1), {
        incidentId,
        seq,
        at: `2026-03-01T10:${String(seq).padStart(2, '0')}:00.000Z`,
        actor: 'system',
        action: 'note.added',
        details: { note: `entry ${seq}` },
      }),
    );
  return entries;
}

function key() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: trailKeyId(publicKey) };
}

const worker = key();
const keys = trailKeysFrom([worker.publicKey]);
const entries = trail(10);

function checkpoint(seq: number, signer = worker, fields: Partial<SignedCheckpoint> = {}): SignedCheckpoint {
  const e = entries[seq - 1];
  return signCheckpoint(
    {
      incidentId: ID,
      seq,
      hash: e?.hash ?? 'f'.repeat(64),
      at: `2026-03-01T10:${String(seq).padStart(2, '0')}:01.000Z`,
      temporalAt: `2026-03-01T10:${String(seq).padStart(2, '0')}:00.500Z`,
      keyId: signer.keyId,
      ...fields,
    },
    signer.privateKey,
  );
}

const file = (...cps: object[]) => cps.map((c) => JSON.stringify(c) + '\n').join('');
const signed = file(checkpoint(3), checkpoint(7), checkpoint(10));
const at = (seq: number) => `2026-03-01T10:${String(seq).padStart(2, '0')}:01.000Z`;
const named = (n: number, seq: number) => `checkpoint ${n} (seq ${seq}, signed at ${at(seq)})`;
const check = (e: AuditEntry[], text: string | undefined, k: ReadonlyMap<string, KeyObject> = keys) => {
  const { ok, message } = checkpointsCheck(e, text, k, ID);
  return { ok, message };
};

describe('checkpointsCheck', () => {
  it('passes a trail covered to its end, naming how many checkpoints and which keys', () => {
    expect(checkpointsCheck(entries, signed, keys, ID)).toMatchObject({
      ok: true,
      message: `3 signed checkpoints (key ${worker.keyId}) cover all 10 entries`,
      covered: 10,
    });
    expect(check(entries.slice(0, 3), file(checkpoint(3)))).toEqual({
      ok: true,
      message: `1 signed checkpoint (key ${worker.keyId}) covers all 3 entries`,
    });
  });

  it('accepts checkpoints of a rotated key listed beside the current one, and names both', () => {
    const old = key();
    expect(
      check(entries, file(checkpoint(3, old), checkpoint(10)), trailKeysFrom([old.publicKey, worker.publicKey])),
    ).toEqual({ ok: true, message: `2 signed checkpoints (key ${old.keyId}, ${worker.keyId}) cover all 10 entries` });
  });

  it('names the entries removed from the end, one or several', () => {
    expect(check(entries.slice(0, 8), signed)).toEqual({
      ok: false,
      message: `the trail ends at seq 8; ${named(3, 10)} covers seq 10: entries 9–10 were removed`,
    });
    expect(check(entries.slice(0, 9), signed)).toEqual({
      ok: false,
      message: `the trail ends at seq 9; ${named(3, 10)} covers seq 10: entry 10 was removed`,
    });
  });

  it('names the checkpoint whose entry was rewritten, and still reports the checkpoints that verified', () => {
    const rewritten = entries.slice(0, 6);
    for (const { prevHash: _p, hash: _h, ...record } of entries.slice(6))
      rewritten.push(
        chainEntry(rewritten.at(-1), record.seq === 7 ? { ...record, details: { note: 'changed' } } : record),
      );
    const result = checkpointsCheck(rewritten, signed, keys, ID);
    expect({ ok: result.ok, message: result.message }).toEqual({
      ok: false,
      message: `entry 7 does not match ${named(2, 7)}: the trail was rewritten`,
    });
    expect(result.checkpoints.map((c) => c.seq)).toEqual([3]);
  });

  it('names entries written after the last checkpoint', () => {
    expect(check(entries, file(checkpoint(3), checkpoint(7)))).toEqual({
      ok: false,
      message:
        'entries 8–10 are covered by no checkpoint: written after the last checkpoint, or its checkpoints were removed',
    });
    expect(check(entries, file(checkpoint(3), checkpoint(9)))).toEqual({
      ok: false,
      message:
        'entry 10 is covered by no checkpoint: written after the last checkpoint, or its checkpoints were removed',
    });
  });

  it('refuses a missing file, an empty one, a line cut short and a line that is not a checkpoint', () => {
    expect(check(entries, undefined)).toEqual({
      ok: false,
      message:
        'there is no checkpoint file, so nothing signed vouches for this trail (deleted, or written before trail keys existed)',
    });
    expect(check(entries, '')).toEqual({
      ok: false,
      message:
        'entries 1–10 are covered by no checkpoint: written after the last checkpoint, or its checkpoints were removed',
    });
    // A trail emptied together with its checkpoint file: nothing signed vouches for it.
    expect(check([], '')).toEqual({
      ok: false,
      message: 'the checkpoint file holds no checkpoint, so nothing signed vouches for this trail',
    });
    expect(check(entries, signed.slice(0, -30))).toEqual({
      ok: false,
      message: 'checkpoint line 3 is unfinished: the checkpoint file was cut short',
    });
    expect(check(entries, `${JSON.stringify(checkpoint(3))}\n{"seq":7}\n${JSON.stringify(checkpoint(10))}\n`)).toEqual({
      ok: false,
      message: 'checkpoint line 2 is not a checkpoint',
    });
    // Blank lines are skipped but counted, so the number is the line a person opens.
    expect(check(entries, `\n${JSON.stringify(checkpoint(3))}\n\nnot json\n`)).toEqual({
      ok: false,
      message: 'checkpoint line 4 is not a checkpoint',
    });
  });

  it('refuses a checkpoint of an unknown key, one the key did not sign, and one altered after signing', () => {
    const stranger = key();
    expect(check(entries, file(checkpoint(3), checkpoint(7, stranger), checkpoint(10)))).toEqual({
      ok: false,
      message: `${named(2, 7)} is signed by key ${stranger.keyId}, which is not a trusted trail key (list it in trail.publicKeys if it is yours)`,
    });
    const { signature: _s, ...fields } = checkpoint(7);
    const claimed = signCheckpoint({ ...fields, keyId: worker.keyId }, stranger.privateKey);
    expect(check(entries, file(checkpoint(3), claimed, checkpoint(10)))).toEqual({
      ok: false,
      message: `${named(2, 7)} carries a signature key ${worker.keyId} did not make: the checkpoint was altered or forged`,
    });
    const moved = { ...checkpoint(7), temporalAt: '2026-03-01T09:00:00.000Z' };
    expect(check(entries, file(checkpoint(3), moved, checkpoint(10)))).toEqual({
      ok: false,
      message: `${named(2, 7)} carries a signature key ${worker.keyId} did not make: the checkpoint was altered or forged`,
    });
  });

  it("refuses another incident's checkpoint and one that names no entry", () => {
    expect(check(entries, file(checkpoint(3, worker, { incidentId: 'INC-2' })))).toEqual({
      ok: false,
      message: `${named(1, 3)} is for incident INC-2, not ${ID}`,
    });
    expect(check(entries, file(checkpoint(0, worker, { at: at(0) })))).toEqual({
      ok: false,
      message: `${named(1, 0)} names no entry`,
    });
  });
});

describe('headCheck', () => {
  const head = { seq: 7, hash: entries[6].hash, at: '2026-03-01T10:07:02.000Z' };

  it('matches a head Temporal recorded or a person gave, counting the entries written since', () => {
    expect(headCheck(entries.slice(0, 7), head, 'temporal')).toEqual({
      check: 'temporal',
      ok: true,
      message: `entry 7 matches the head Temporal recorded at ${head.at}`,
    });
    expect(headCheck(entries, { seq: 7, hash: entries[6].hash.slice(0, 8).toUpperCase() }, 'witness')).toEqual({
      check: 'witness',
      ok: true,
      message: 'entry 7 matches the head you gave (3 later entries written since)',
    });
    expect(headCheck(entries.slice(0, 8), head, 'temporal').message).toBe(
      `entry 7 matches the head Temporal recorded at ${head.at} (1 later entry written since)`,
    );
  });

  it('names entries missing at the end and a head that does not match', () => {
    expect(headCheck(entries.slice(0, 5), head, 'temporal').message).toBe(
      `the trail ends at seq 5; Temporal recorded 7 at ${head.at}: entries 6–7 are missing`,
    );
    expect(headCheck(entries.slice(0, 6), { seq: 7, hash: head.hash }, 'witness').message).toBe(
      'the trail ends at seq 6; the head you gave is 7: entry 7 is missing',
    );
    expect(headCheck(entries, { ...head, hash: entries[5].hash }, 'temporal')).toEqual({
      check: 'temporal',
      ok: false,
      message: `entry 7 does not match the head Temporal recorded at ${head.at} (${entries[5].hash.slice(0, 16)}…): the trail was rewritten`,
    });
    expect(headCheck(entries, { seq: 7, hash: 'deadbeef' }, 'witness').message).toBe(
      'entry 7 does not match the head you gave (deadbeef…): the trail was rewritten',
    );
  });
});

describe('verifyTrail', () => {
  const text = entries.map((e) => JSON.stringify(e) + '\n').join('');
  const temporal = { seq: 10, hash: entries[9].hash, at: '2026-03-01T10:10:02.000Z' };

  it('runs every check even when one fails, and fails on any failure but a skipped one', () => {
    const cut = entries.slice(0, 8);
    const verdict = verifyTrail({
      incidentId: ID,
      trailText: cut.map((e) => JSON.stringify(e) + '\n').join(''),
      checkpointsText: signed,
      keys,
      temporal,
      witnesses: [{ seq: 3, hash: entries[2].hash.slice(0, 16) }],
    });
    expect(verdict).toMatchObject({ ok: false, entries: 8, head: { seq: 8, hash: entries[7].hash } });
    expect(verdict.checks).toEqual([
      { check: 'chain', ok: true, message: '8 entries link from the first to the last (incident still open)' },
      { check: 'checkpoints', ok: false, message: expect.stringContaining('entries 9–10 were removed') },
      { check: 'temporal', ok: false, message: expect.stringContaining('entries 9–10 are missing') },
      { check: 'witness', ok: true, message: 'entry 3 matches the head you gave (5 later entries written since)' },
    ]);
    expect(verdict.checkpoints.map((c) => c.seq)).toEqual([3, 7]);
  });

  it('passes with Temporal unavailable, saying it was not checked; leaves it out when not asked', () => {
    const verdict = verifyTrail({
      incidentId: ID,
      trailText: text,
      checkpointsText: signed,
      keys,
      temporal: { unavailable: 'Temporal was not asked (--offline)' },
    });
    expect(verdict.ok).toBe(true);
    expect(verdict.checks.at(-1)).toEqual({
      check: 'temporal',
      ok: false,
      skipped: true,
      message: 'not checked: Temporal was not asked (--offline)',
    });
    expect(
      verifyTrail({ incidentId: ID, trailText: text, checkpointsText: signed, keys }).checks.map((c) => c.check),
    ).toEqual(['chain', 'checkpoints']);
  });

  it("names an entry moved in from another incident's trail in the chain check", () => {
    const moved = entries.map((e) => (e.seq === 4 ? trail(4, 'INC-2')[3] : e));
    const verdict = verifyTrail({
      incidentId: ID,
      trailText: moved.map((e) => JSON.stringify(e) + '\n').join(''),
      checkpointsText: signed,
      keys,
      temporal,
    });
    expect(verdict.ok).toBe(false);
    expect(verdict.checks[0]).toEqual({
      check: 'chain',
      ok: false,
      message: 'line 4 (seq 4) belongs to incident INC-2, not INC-1',
    });
  });
});

describe('checkpoints and trail keys', () => {
  it('signs exactly the context line and the canonical JSON of the fields, temporalAt left out when absent', () => {
    const cp = { incidentId: ID, seq: 3, hash: 'ab'.repeat(32), at: '2026-03-01T10:03:01.000Z', keyId: worker.keyId };
    expect(checkpointMessage(cp).toString('utf8')).toBe(
      `incident-response trail checkpoint v1\n{"at":"2026-03-01T10:03:01.000Z","hash":"${'ab'.repeat(32)}","incidentId":"INC-1","keyId":"${worker.keyId}","seq":3}`,
    );
    const s = signCheckpoint(cp, worker.privateKey);
    expect(checkpointSignatureValid(s, worker.publicKey)).toBe(true);
    expect(checkpointSignatureValid({ ...s, seq: 4 }, worker.publicKey)).toBe(false);
    expect(checkpointSignatureValid({ ...s, signature: 'not base64 at all' }, worker.publicKey)).toBe(false);
    expect(checkpointSignatureValid(s, key().publicKey)).toBe(false);
  });

  it('names a key by the first 16 hex digits of the SHA-256 of its raw public key', () => {
    const raw = Buffer.from(String(worker.publicKey.export({ format: 'jwk' }).x), 'base64url');
    expect(worker.keyId).toBe(createHash('sha256').update(raw).digest('hex').slice(0, 16));
    expect(trailKeyId(parseTrailPublicKey(raw.toString('base64')))).toBe(worker.keyId);
    expect(trailKeyId(parseTrailPublicKey(publicKeyPem(worker.publicKey)))).toBe(worker.keyId);
  });

  it('refuses a public key that is not Ed25519, with a message saying what to give', () => {
    expect(() => parseTrailPublicKey('c2hvcnQ=')).toThrow(
      '"c2hvcnQ=…" is not an Ed25519 public key: give a PEM public key or the raw 32-byte key in base64',
    );
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' });
    expect(() => parseTrailPublicKey(String(rsa))).toThrow('a trail key must be Ed25519, not rsa');
  });

  it('reads a checkpoint line only when every field has its type', () => {
    const cp = checkpoint(3);
    expect(parseCheckpoint(JSON.stringify(cp))).toEqual(cp);
    for (const bad of [{ seq: '3' }, { signature: undefined }, { temporalAt: 5 }, { keyId: null }])
      expect(parseCheckpoint(JSON.stringify({ ...cp, ...bad }))).toBeUndefined();
    expect(parseCheckpoint('null')).toBeUndefined();
    expect(parseCheckpoint('{"seq":')).toBeUndefined();
  });
});

describe('heads as people type them', () => {
  it('reads SEQ:HASH with 8 to 64 hex digits, an ellipsis copied from a mail allowed', () => {
    expect(parseHeadArgument('37:4EBAF5B6c1d2e3f4…')).toEqual({ seq: 37, hash: '4ebaf5b6c1d2e3f4' });
    expect(parseHeadArgument(' 37:4ebaf5b6... ')).toEqual({ seq: 37, hash: '4ebaf5b6' });
    for (const bad of ['37', '37:4ebaf5b', '0:4ebaf5b6', '-1:4ebaf5b6', '37:4ebaf5bz', `37:${'a'.repeat(65)}`])
      expect(parseHeadArgument(bad), bad).toBeUndefined();
  });

  it('shows a head as mails and reports do, and the argument that checks it', () => {
    const head = { seq: 37, hash: entries[0].hash };
    expect(formatHead(head)).toBe(`audit seq 37, head ${entries[0].hash.slice(0, 16)}…`);
    expect(parseHeadArgument(headArgument(head))).toEqual({ seq: 37, hash: entries[0].hash.slice(0, 16) });
  });
});
