import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainEntry, entryHash, type AuditEntry } from '../../domain/audit-chain';
import {
  checkpointMessage,
  publicKeyPem,
  signCheckpoint,
  trailKeyFingerprint,
  trailKeyId,
  type SignedCheckpoint,
} from '../../domain/audit-checkpoint';
import {
  hashInputsText,
  parseManifest,
  parseSha256Sums,
  rosterJson,
  sha256SumsText,
  type BundleContents,
  type BundleFile,
} from '../../domain/bundle-layout';
import { verifyBundle } from '../../domain/bundle-verification';

// The bundle verifier's own checks on a bundle made in memory: the messages a recipient reads for each
// kind of damage that the CLI tests (which tamper with real bundles) do not reach.

const ID = 'INC-U-1';
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const KEY = trailKeyId(publicKey);
const IMAGE = Buffer.from('the disk image');
const MANIFEST = `${sha('a')}  1  a.txt\n`;

function trail(): AuditEntry[] {
  const records = [
    { actor: 'alice', action: 'incident.opened', details: { title: 'T' } },
    { actor: 'system', action: 'access.policy-loaded', details: { members: { alice: { roles: ['responder'] } } } },
    {
      actor: 'system',
      action: 'evidence.collected',
      details: { system: 'web-01', location: `/d/evidence/${ID}/web-01/round-1/image.bin.enc`, sha256: sha(IMAGE) },
    },
    {
      actor: 'system',
      action: 'evidence.collected',
      details: { system: 'files-01', location: `/d/evidence/${ID}/files-01/round-1/tree`, sha256: sha(MANIFEST) },
    },
    { actor: 'alice', action: 'incident.closed', details: {} },
  ];
  const entries: AuditEntry[] = [];
  records.forEach((r, i) =>
    entries.push(chainEntry(entries.at(-1), { ...r, incidentId: ID, seq: i + 1, at: `2026-01-01T00:00:0${i}.000Z` })),
  );
  return entries;
}

function checkpoint(e: AuditEntry): SignedCheckpoint {
  return signCheckpoint({ incidentId: ID, seq: e.seq, hash: e.hash, at: e.at, keyId: KEY }, privateKey);
}

/** A whole bundle: every file, SHA256SUMS over them; `change` edits files before the sums are made. */
function bundle(change: (files: Map<string, Buffer>) => void = () => {}, after?: (files: Map<string, Buffer>) => void) {
  const entries = trail();
  const cps = [checkpoint(entries[1]), checkpoint(entries[4])];
  const files = new Map<string, Buffer>();
  const put = (name: string, data: string | Buffer) => files.set(name, Buffer.from(data));
  put('trail.jsonl', entries.map((e) => JSON.stringify(e) + '\n').join(''));
  put('checkpoints.jsonl', cps.map((c) => JSON.stringify(c) + '\n').join(''));
  put(`keys/${KEY}.pem`, publicKeyPem(publicKey));
  put('roster.json', rosterJson(entries));
  put('trail-hash-inputs.txt', hashInputsText(entries));
  put('head.msg', checkpointMessage(cps[1]));
  put('head.sig', Buffer.from(cps[1].signature, 'base64'));
  put('head.json', JSON.stringify(cps[1], null, 2) + '\n');
  put('evidence/web-01/round-1/evidence.json', JSON.stringify({ sha256: sha(IMAGE) }));
  put('evidence/web-01/round-1/image.bin', IMAGE);
  put('evidence/files-01/round-1/evidence.json', JSON.stringify({ sha256: sha(MANIFEST) }));
  put('evidence/files-01/round-1/MANIFEST.sha256', MANIFEST);
  put('evidence/files-01/round-1/tree/a.txt', 'a');
  change(files);
  const sums = new Map([...files].map(([f, b]) => [f, { sha256: sha(b) }]));
  put('SHA256SUMS', sha256SumsText(sums));
  after?.(files);
  const contents = new Map<string, BundleFile>(
    [...files].map(([f, b]) => [f, { sha256: sha(b), size: b.length, bytes: b }]),
  );
  return { files: contents, strays: [] as string[] } satisfies BundleContents;
}

const lineOf = (c: BundleContents, check: string) => verifyBundle(c).checks.find((x) => x.check === check);

describe('bundle layout', () => {
  it('ships, per entry, exactly the text whose SHA-256 is its hash', () => {
    const entries = trail();
    hashInputsText(entries)
      .trimEnd()
      .split('\n')
      .forEach((line, i) => {
        expect(sha(line)).toBe(entries[i].hash);
        expect(entryHash(entries[i].prevHash, entries[i])).toBe(entries[i].hash);
      });
  });

  it('reads SHA256SUMS as sha256sum writes it, and refuses a manifest path that climbs out', () => {
    expect(parseSha256Sums(`${sha('x')}  a b.txt\n${sha('y')} *bin\n`).sums).toEqual(
      new Map([
        ['a b.txt', sha('x')],
        ['bin', sha('y')],
      ]),
    );
    expect(parseSha256Sums(`${sha('x')}  a\nnonsense\n`).bad).toBe(2);
    expect(parseManifest(`${sha('a')}  1  ../../etc/passwd\n`)).toBeUndefined();
    expect(parseManifest(`${sha('a')}  1  etc/passwd\n`)).toEqual([{ path: 'etc/passwd', sha256: sha('a') }]);
  });
});

describe('verifyBundle', () => {
  it('passes a whole bundle, with its key and fingerprint', () => {
    const v = verifyBundle(bundle());
    expect(v.checks.filter((c) => !c.ok)).toEqual([]);
    expect(v).toMatchObject({ ok: true, incidentId: ID, entries: 5, checkpoints: 2 });
    expect(v.keys).toEqual([{ keyId: KEY, fingerprint: trailKeyFingerprint(publicKey), file: `keys/${KEY}.pem` }]);
    expect(lineOf(bundle(), 'evidence')?.message).toBe(
      '2 copies match the SHA-256 the trail records: web-01 round 1 (image), files-01 round 1 (1 file)',
    );
  });

  it('names files added after SHA256SUMS, entries that are not plain files or come twice, and more than three problems in one line', () => {
    const added = bundle(undefined, (f) => f.set('notes.txt', Buffer.from('x')));
    const withStray = { ...added, strays: ['evidence/link'], twice: ['trail.jsonl'] };
    expect(lineOf(withStray, 'files')?.message).toBe(
      'notes.txt is not listed in SHA256SUMS; evidence/link is not a plain file; trail.jsonl is in the archive twice',
    );
    const many = bundle(undefined, (f) => {
      for (const name of ['a', 'b', 'c', 'd', 'e']) f.set(name, Buffer.from(name));
    });
    expect(lineOf(many, 'files')?.message).toBe(
      'a is not listed in SHA256SUMS; b is not listed in SHA256SUMS; c is not listed in SHA256SUMS; and 2 more',
    );
  });

  it('trusts only a key named by its own id', () => {
    const other = generateKeyPairSync('ed25519').publicKey;
    const c = bundle((f) => {
      f.delete(`keys/${KEY}.pem`);
      f.set(`keys/${KEY}.pem`, Buffer.from(publicKeyPem(other)));
    });
    expect(lineOf(c, 'keys')?.message).toBe(`keys/${KEY}.pem holds key ${trailKeyId(other)}, not ${KEY}`);
    expect(lineOf(c, 'checkpoints')?.message).toBe(
      `checkpoint 1 (seq 2, signed at 2026-01-01T00:00:01.000Z) is signed by key ${KEY}, which is not a trusted trail key (the bundle's keys/ holds no key with that id)`,
    );
    expect(
      lineOf(
        bundle((f) => f.delete(`keys/${KEY}.pem`)),
        'keys',
      )?.message,
    ).toBe('keys/ holds no trail key, so no checkpoint can be checked');
  });

  it('checks head.msg, head.sig and head.json against each other and the last checkpoint', () => {
    const cps = [checkpoint(trail()[1]), checkpoint(trail()[4])];
    const msg = bundle((f) => f.set('head.msg', Buffer.concat([f.get('head.msg')!, Buffer.from(' ')])));
    expect(lineOf(msg, 'head')?.message).toBe('head.msg is not the message head.json signs: one of them was changed');
    const sig = bundle((f) => f.set('head.sig', Buffer.alloc(64)));
    expect(lineOf(sig, 'head')?.message).toBe(
      'head.sig is not the signature head.json carries: one of them was changed',
    );
    const older = bundle((f) => {
      f.set('head.msg', checkpointMessage(cps[0]));
      f.set('head.sig', Buffer.from(cps[0].signature, 'base64'));
      f.set('head.json', Buffer.from(JSON.stringify(cps[0])));
    });
    expect(lineOf(older, 'head')?.message).toBe('head.json is not the last checkpoint of checkpoints.jsonl');
    expect(
      lineOf(
        bundle((f) => f.delete('head.sig')),
        'head',
      )?.message,
    ).toBe('head.sig is missing');
  });

  it('checks roster.json and trail-hash-inputs.txt against the trail', () => {
    const c = bundle((f) => {
      f.set('roster.json', Buffer.from('{"rosters":[]}\n'));
      const lines = f.get('trail-hash-inputs.txt')!.toString().split('\n');
      lines[1] = lines[1].replace('responder', 'admin');
      f.set('trail-hash-inputs.txt', Buffer.from(lines.join('\n')));
    });
    expect(lineOf(c, 'derived')?.message).toBe(
      'roster.json is not the rosters trail.jsonl records; line 2 of trail-hash-inputs.txt is not what entry 2 of trail.jsonl gives',
    );
  });

  it('names evidence the trail does not record, a record that disagrees, and a directory copy whose files differ', () => {
    const c = bundle((f) => {
      f.set('evidence/db-01/round-1/evidence.json', Buffer.from('{}'));
      f.set('evidence/web-01/round-1/evidence.json', Buffer.from(JSON.stringify({ sha256: sha('other') })));
      f.set('evidence/files-01/round-1/tree/a.txt', Buffer.from('changed'));
      f.set('evidence/files-01/round-1/tree/extra.txt', Buffer.from('planted'));
    });
    expect(lineOf(c, 'evidence')?.message).toBe(
      `web-01 round 1: evidence.json records SHA-256 ${sha('other').slice(0, 16)}…, the trail records ${sha(IMAGE).slice(0, 16)}… at seq 3; files-01 round 1: tree/a.txt does not match MANIFEST.sha256: the copy was substituted or damaged; files-01 round 1: evidence/files-01/round-1/tree/extra.txt is not in MANIFEST.sha256; and 1 more`,
    );
  });

  it('says so when there is no trail at all', () => {
    const v = verifyBundle(bundle((f) => f.delete('trail.jsonl')));
    expect(v.checks.find((c) => c.check === 'chain')).toEqual({
      check: 'chain',
      ok: false,
      message: 'there is no trail.jsonl',
    });
    expect(v.ok).toBe(false);
  });
});
