import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonlAuditStore } from '../../stores/audit-store';
import { expandTemplate, runCommand } from '../../activities/drivers/command-runner';
import { evidenceDriver } from '../../activities/drivers/evidence';
import { EvidenceError } from '../../stores/evidence-record';
import { EvidenceStore } from '../../stores/evidence-store';
import { createMailer, MailRejectedError, messageIdFor } from '../../activities/mailer';
import type { AuditRecord } from '../../domain/audit-chain';
import type { MailMessage } from '../../domain/notices';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';

// The activities' own guarantees, on real files, real processes and a real SMTP server.

const tmp = () => mkdtemp(path.join(os.tmpdir(), 'incident-act-'));
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('evidence store', () => {
  it('copies a file byte for byte, hashes it while copying, verifies the stored copy and makes it read-only', async () => {
    const dir = await tmp();
    const bytes = randomBytes(5 * 1024 * 1024 + 17);
    await writeFile(path.join(dir, 'disk.img'), bytes);
    const progress: number[] = [];
    const stored = await new EvidenceStore(path.join(dir, 'store')).copyFromPath(
      path.join(dir, 'store', 'INC-1', 'web', 'round-1'),
      path.join(dir, 'disk.img'),
      {
        onProgress: (n) => progress.push(n),
      },
    );
    expect(stored.sha256).toBe(sha(bytes));
    expect(stored.sizeBytes).toBe(bytes.length);
    expect((await readFile(stored.location)).equals(bytes)).toBe(true);
    expect((await stat(stored.location)).mode & 0o777).toBe(0o444);
    expect(progress[progress.length - 1]).toBe(bytes.length);
  });

  it('resumes an interrupted copy from the bytes already stored and still produces the full hash', async () => {
    const dir = await tmp();
    const bytes = randomBytes(4 * 1024 * 1024);
    await writeFile(path.join(dir, 'disk.img'), bytes);
    const target = path.join(dir, 'store', 'INC-1', 'web', 'round-1');
    await mkdir(target, { recursive: true });
    // What a worker killed after 3 MiB leaves behind.
    await writeFile(path.join(target, 'image.bin.partial'), bytes.subarray(0, 3 * 1024 * 1024));
    const progress: number[] = [];
    const stored = await new EvidenceStore(path.join(dir, 'store')).copyFromPath(target, path.join(dir, 'disk.img'), {
      onProgress: (n) => progress.push(n),
    });
    expect(stored.sha256).toBe(sha(bytes));
    expect((await readFile(stored.location)).equals(bytes)).toBe(true);
    expect(Math.min(...progress)).toBeGreaterThan(3 * 1024 * 1024);
  });

  it('returns the finished copy again instead of copying twice when the activity is retried after success', async () => {
    const dir = await tmp();
    await writeFile(path.join(dir, 'disk.img'), randomBytes(1024));
    const store = new EvidenceStore(path.join(dir, 'store'));
    const target = path.join(dir, 'store', 'INC-1', 'web', 'round-1');
    const first = await store.copyFromPath(target, path.join(dir, 'disk.img'));
    await writeFile(path.join(dir, 'disk.img'), randomBytes(1024)); // the live system changed since
    expect(await store.copyFromPath(target, path.join(dir, 'disk.img'))).toEqual(first);
  });

  it('copies a directory with a per-file manifest whose hash is the evidence hash', async () => {
    const dir = await tmp();
    await mkdir(path.join(dir, 'src', 'etc'), { recursive: true });
    await writeFile(path.join(dir, 'src', 'etc', 'passwd'), 'root:x:0:0\n');
    await writeFile(path.join(dir, 'src', 'access.log'), 'GET /shell.php\n');
    const target = path.join(dir, 'store', 'INC-1', 'host', 'round-1');
    const stored = await new EvidenceStore(path.join(dir, 'store')).copyFromPath(target, path.join(dir, 'src'));
    expect(stored.manifest!.map((m) => m.path)).toEqual(['access.log', 'etc/passwd']);
    expect(stored.manifest![1].sha256).toBe(sha(Buffer.from('root:x:0:0\n')));
    const manifest = await readFile(path.join(target, 'MANIFEST.sha256'), 'utf8');
    expect(stored.sha256).toBe(sha(Buffer.from(manifest)));
    expect(await readFile(path.join(stored.location, 'etc', 'passwd'), 'utf8')).toBe('root:x:0:0\n');
  });

  it('refuses a missing source permanently with a message saying what to do', async () => {
    const dir = await tmp();
    const err = await new EvidenceStore(dir).copyFromPath(path.join(dir, 'x'), '/nonexistent/disk.img').catch((e) => e);
    expect(err).toBeInstanceOf(EvidenceError);
    expect(err.permanent).toBe(true);
    expect(err.message).toBe(
      "Evidence source /nonexistent/disk.img does not exist on the worker; fix the system's evidence path or record a manual copy.",
    );
  });

  it('stores the standard output of a command driver as the image, with the same hash as the source', async () => {
    const dir = await tmp();
    const bytes = randomBytes(2 * 1024 * 1024);
    await writeFile(path.join(dir, 'remote.img'), bytes);
    const driver = evidenceDriver(
      { driver: 'command', snapshot: ['cat', path.join(dir, '{system}.img')], timeoutSeconds: 30 },
      new EvidenceStore(path.join(dir, 'store')),
    );
    const out = await driver.snapshot(
      { incidentId: 'INC-1', system: 'remote', dir: path.join(dir, 'store', 'INC-1', 'remote', 'round-1') },
      {},
    );
    expect(out.kind).toBe('done');
    if (out.kind === 'done') expect(out.stored.sha256).toBe(sha(bytes));
  });
});

describe('command templates', () => {
  it('never lets a placeholder value become a second argument or a shell command', async () => {
    const dir = await tmp();
    const hostile = `web; touch ${path.join(dir, 'pwned')} $(id) \`id\``;
    const argv = expandTemplate(['echo', 'isolating', '{system}'], { system: hostile });
    expect(argv).toEqual(['echo', 'isolating', hostile]);
    const result = await runCommand(argv, { timeoutMs: 5_000 });
    expect(result.stdout).toBe(`isolating ${hostile}`);
    await expect(stat(path.join(dir, 'pwned'))).rejects.toThrow();
  });

  it('reports a failing command with its exit code and the end of its error output', async () => {
    const err = await runCommand(['sh', '-c', 'echo "nft: permission denied" >&2; exit 3'], { timeoutMs: 5_000 }).catch(
      (e) => e,
    );
    expect(err.message).toBe('"sh" exited with code 3: nft: permission denied');
    expect(err.permanent).toBe(false);
    const missing = await runCommand(['no-such-isolation-tool'], { timeoutMs: 5_000 }).catch((e) => e);
    expect(missing.permanent).toBe(true);
    expect(missing.message).toMatch(/was not found on the worker/);
  });
});

describe('audit store', () => {
  const record = (seq: number): AuditRecord => ({
    incidentId: 'INC-7',
    seq,
    at: `2026-03-01T02:${String(seq).padStart(2, '0')}:00.000Z`,
    actor: 'alice',
    action: 'note.added',
    details: { note: `n${seq}` },
  });

  it('appends each seq exactly once, so a retried append writes nothing twice', async () => {
    const store = new JsonlAuditStore(await tmp());
    await store.append('INC-7', [record(1), record(2)]);
    await store.append('INC-7', [record(2), record(3)]);
    await store.append('INC-7', [record(1), record(2), record(3)]);
    const entries = await store.read('INC-7');
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(await store.verify('INC-7')).toMatchObject({ ok: true, entries: 3 });
  });

  it('serialises concurrent appends and refuses a gap', async () => {
    const store = new JsonlAuditStore(await tmp());
    await Promise.all([
      store.append('INC-7', [record(1)]),
      store.append('INC-7', [record(2)]),
      store.append('INC-7', [record(3)]),
    ]);
    expect((await store.read('INC-7')).map((e) => e.seq)).toEqual([1, 2, 3]);
    await expect(store.append('INC-7', [record(5)])).rejects.toThrow(
      'Audit gap for INC-7: the file ends at seq 3 but the next entry has seq 5',
    );
  });

  it('cuts off a torn last line left by a crash mid-write, then continues the chain', async () => {
    const dir = await tmp();
    const store = new JsonlAuditStore(dir);
    await store.append('INC-7', [record(1), record(2)]);
    await appendFile(store.fileOf('INC-7'), '{"incidentId":"INC-7","seq":3,"at":"2026');
    await store.append('INC-7', [record(3)]);
    expect((await store.read('INC-7')).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(await store.verify('INC-7')).toMatchObject({ ok: true, entries: 3 });
  });

  it('names the first bad line when the file was edited', async () => {
    const store = new JsonlAuditStore(await tmp());
    await store.append('INC-7', [record(1), record(2), record(3)]);
    const text = await readFile(store.fileOf('INC-7'), 'utf8');
    await writeFile(store.fileOf('INC-7'), text.replace('"n2"', '"n2 (edited)"'));
    expect(await store.verify('INC-7')).toMatchObject({
      ok: false,
      line: 2,
      problem: 'was modified after it was written: its hash does not match its content',
    });
  });
});

describe('mailer', () => {
  let smtp: TestSmtp;
  beforeAll(async () => {
    smtp = await startTestSmtp();
  });
  afterAll(async () => smtp?.close());

  const message = (key: string, to = ['cto@example.com']): MailMessage => ({
    key,
    to,
    subject: 'Security incident INC-1',
    text: 'body',
    html: '<p>body</p>',
  });

  it('delivers through SMTP once per key, with a Message-ID derived from the key', async () => {
    const mailer = createMailer({ dataDir: await tmp(), from: 'ir@example.com', smtp: { url: smtp.url } });
    const first = await mailer.send(message('INC-1/escalation-0'));
    const again = await mailer.send(message('INC-1/escalation-0'));
    mailer.close();
    expect(first).toMatchObject({ deduplicated: false, messageId: messageIdFor('INC-1/escalation-0') });
    expect(again).toMatchObject({ deduplicated: true, messageId: first.messageId });
    const received = smtp.messages.filter((m) => m.messageId === first.messageId);
    expect(received).toHaveLength(1);
    expect(received[0].to).toEqual(['cto@example.com']);
  });

  it('turns a permanent refusal (550 unknown mailbox) into MailRejectedError, and a dead relay into a retryable error', async () => {
    smtp.rejectRecipients = /nobody@/;
    const mailer = createMailer({ dataDir: await tmp(), from: 'ir@example.com', smtp: { url: smtp.url } });
    const refused = await mailer.send(message('INC-1/customer/nobody', ['nobody@acme.example'])).catch((e) => e);
    mailer.close();
    smtp.rejectRecipients = undefined;
    expect(refused).toBeInstanceOf(MailRejectedError);
    expect(refused.message).toMatch(/refused the message permanently \(550\)/);
    const dead = createMailer({ dataDir: await tmp(), from: 'ir@example.com', smtp: { url: 'smtp://127.0.0.1:9' } });
    const down = await dead.send(message('INC-1/x')).catch((e) => e);
    dead.close();
    expect(down).not.toBeInstanceOf(MailRejectedError);
    expect(down.message).toMatch(/^Mail delivery failed \(\w+\): .*ECONNREFUSED 127\.0\.0\.1:9/);
  });

  it('writes .eml files to the outbox when no SMTP is configured', async () => {
    const dataDir = await tmp();
    const mailer = createMailer({ dataDir, from: 'ir@example.com' });
    const delivery = await mailer.send(message('INC-1/escalation-0'));
    mailer.close();
    const eml = await readFile(delivery.via, 'utf8');
    expect(path.dirname(delivery.via)).toBe(path.join(dataDir, 'outbox'));
    expect(eml).toContain('Subject: Security incident INC-1');
    // Long headers are folded onto a continuation line.
    expect(eml.replace(/\r?\n[ \t]+/g, ' ')).toContain(`Message-ID: ${messageIdFor('INC-1/escalation-0')}`);
  });
});
