import { appendFile, mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JsonlAuditStore } from '../../stores/audit-store';
import { crashingFaultPoints, type FaultPoint } from '../../platform/fault-points';
import { createMailer, messageIdFor } from '../../activities/mailer';
import type { AuditRecord } from '../../domain/audit-chain';
import type { MailMessage } from '../../domain/notices';
import { freePort } from '../../platform/dev-server';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';

// The crash windows of the audit store and the mailer, in-process: the fault point "crashes" by throwing
// where the worker would die with SIGKILL (test/faults does the same with real worker processes), then
// fresh instances on the same files stand in for the next worker.

const tmp = () => mkdtemp(path.join(os.tmpdir(), 'incident-crash-'));
const crashAt = (point: FaultPoint) =>
  crashingFaultPoints({ point, occurrence: 1 }, () => {
    throw new Error(`simulated crash at ${point}`);
  });
const record = (seq: number, note = `step ${seq}`): AuditRecord => ({
  incidentId: 'INC-1',
  seq,
  at: '2025-03-01T10:00:00.000Z',
  actor: 'alice',
  action: 'note.added',
  details: { note },
});

describe('audit store crash windows', () => {
  it('a crash mid-write leaves a torn line that readers skip and the next append replaces, every seq once', async () => {
    const dir = await tmp();
    await new JsonlAuditStore(dir).append('INC-1', [record(1), record(2)]);
    const crashing = new JsonlAuditStore(dir, crashAt('audit-mid-write'));
    await expect(crashing.append('INC-1', [record(3), record(4), record(5)])).rejects.toThrow(
      'simulated crash at audit-mid-write',
    );
    const file = path.join(dir, 'INC-1.jsonl');
    const torn = await readFile(file, 'utf8');
    expect(torn.endsWith('\n')).toBe(false);
    const next = new JsonlAuditStore(dir);
    const complete = torn.split('\n').length - 1; // the lines that got their newline; half of 3, 4, 5 may hold all of 3
    expect(complete).toBeGreaterThanOrEqual(2);
    expect((await next.read('INC-1')).map((e) => e.seq)).toEqual(Array.from({ length: complete }, (_, i) => i + 1));
    expect(await next.verify('INC-1')).toMatchObject({
      ok: false,
      problem: 'is an unfinished last line (a write cut short by a crash; the next append removes it)',
    });

    expect(await next.append('INC-1', [record(3), record(4), record(5)])).toMatchObject({ lastSeq: 5 });
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect((await next.read('INC-1')).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(await next.verify('INC-1')).toMatchObject({ ok: true, entries: 5 });
  });

  it('a crash after the write: the retry finds its entries and writes nothing again', async () => {
    const dir = await tmp();
    await expect(
      new JsonlAuditStore(dir, crashAt('audit-after-write')).append('INC-1', [record(1), record(2)]),
    ).rejects.toThrow('simulated crash');
    const next = new JsonlAuditStore(dir);
    expect(await next.append('INC-1', [record(1), record(2)])).toMatchObject({ written: 0, lastSeq: 2 });
    expect(await next.append('INC-1', [record(1), record(2), record(3)])).toMatchObject({ written: 1, lastSeq: 3 });
    expect((await next.read('INC-1')).map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(await next.verify('INC-1')).toMatchObject({ ok: true, entries: 3 });
  });

  it('repairs a torn line by bytes, in a large file of multi-byte text and after a line longer than one read', async () => {
    // 600 entries of accented text (about 390 KB), torn so that the last 256 KiB start inside a character.
    const dir = await tmp();
    const store = new JsonlAuditStore(dir);
    const accented = 'é'.repeat(200);
    for (let batch = 0; batch < 6; batch++)
      await store.append(
        'INC-1',
        Array.from({ length: 100 }, (_, i) => record(batch * 100 + i + 1, accented)),
      );
    const file = path.join(dir, 'INC-1.jsonl');
    const whole = await readFile(file);
    const next = Buffer.from(JSON.stringify(record(601, accented)));
    let cut = 300;
    const byteAt = (offset: number) => (offset < whole.length ? whole[offset] : next[offset - whole.length]);
    while ((byteAt(whole.length + cut - 256 * 1024) & 0xc0) !== 0x80) cut++;
    await appendFile(file, next.subarray(0, cut));
    expect(await store.append('INC-1', [record(601, accented)])).toMatchObject({ written: 1, lastSeq: 601 });
    expect(await store.verify('INC-1')).toMatchObject({ ok: true, entries: 601 });

    // A raw alert can make one entry longer than the 256 KiB the store reads back at a time.
    const big = await tmp();
    const bigStore = new JsonlAuditStore(big);
    await bigStore.append('INC-1', [record(1, 'x'.repeat(600 * 1024))]);
    await appendFile(path.join(big, 'INC-1.jsonl'), '{"incidentId":"INC-1","seq":2,"at":"2025-');
    expect(await bigStore.append('INC-1', [record(2)])).toMatchObject({ written: 1, lastSeq: 2 });
    expect(await bigStore.verify('INC-1')).toMatchObject({ ok: true, entries: 2 });
  });
});

describe('mailer crash windows', () => {
  let smtp: TestSmtp;
  beforeAll(async () => {
    smtp = await startTestSmtp();
  });
  afterAll(async () => smtp?.close());

  const message = (key: string): MailMessage => ({
    key,
    to: ['cto@example.com'],
    subject: 'Security incident INC-1',
    text: 'body',
    html: '<p>body</p>',
  });
  const atRelay = (messageId: string) => smtp.messages.filter((m) => m.messageId === messageId);

  it('after the relay accepted, before the ledger write: the retry sends again with the same Message-ID and says it may be a duplicate', async () => {
    const dataDir = await tmp();
    const key = `INC-${Date.now()}/escalation-0`;
    const id = messageIdFor(key);
    const first = createMailer({
      dataDir,
      from: 'ir@example.com',
      smtp: { url: smtp.url },
      faults: crashAt('mail-after-accept'),
    });
    await expect(first.send(message(key))).rejects.toThrow('simulated crash at mail-after-accept');
    first.close();
    expect(atRelay(id)).toHaveLength(1);
    const intent = JSON.parse(
      await readFile(path.join(dataDir, 'mail-ledger', (await readdir(path.join(dataDir, 'mail-ledger')))[0]), 'utf8'),
    );
    expect(intent).toMatchObject({ key, messageId: id, state: 'in-flight', attempts: 1, uncertain: false });

    const next = createMailer({ dataDir, from: 'ir@example.com', smtp: { url: smtp.url } });
    const delivery = await next.send(message(key));
    expect(delivery).toMatchObject({ messageId: id, deduplicated: false, possibleDuplicate: true });
    expect(delivery.via).toMatch(
      new RegExp(
        `^${smtp.url} \\(possible duplicate: an earlier attempt since .* was interrupted after the message may have reached the relay; every copy carries Message-ID ${id.replace(/[.]/g, '\\.')}\\)$`,
      ),
    );
    expect(atRelay(id)).toHaveLength(2);
    expect(atRelay(id).map((m) => m.to)).toEqual([['cto@example.com'], ['cto@example.com']]);
    // Recorded now: a further retry sends nothing, and the intent is gone.
    expect(await next.send(message(key))).toMatchObject({ deduplicated: true, possibleDuplicate: true });
    next.close();
    expect(atRelay(id)).toHaveLength(2);
    expect((await readdir(path.join(dataDir, 'mail-ledger'))).filter((f) => f.endsWith('.sending.json'))).toEqual([]);
  });

  it('before the hand-over: the message reaches the relay once, still marked a possible duplicate since nothing tells the two apart', async () => {
    const dataDir = await tmp();
    const key = `INC-${Date.now()}/escalation-1`;
    const first = createMailer({
      dataDir,
      from: 'ir@example.com',
      smtp: { url: smtp.url },
      faults: crashAt('mail-before-send'),
    });
    await expect(first.send(message(key))).rejects.toThrow('simulated crash');
    first.close();
    expect(atRelay(messageIdFor(key))).toHaveLength(0);
    const next = createMailer({ dataDir, from: 'ir@example.com', smtp: { url: smtp.url } });
    expect(await next.send(message(key))).toMatchObject({ possibleDuplicate: true });
    next.close();
    expect(atRelay(messageIdFor(key))).toHaveLength(1);
  });

  it('a relay that was never reached is not a possible duplicate once it is back', async () => {
    const dataDir = await tmp();
    const port = await freePort();
    const key = `INC-${Date.now()}/escalation-2`;
    const mailer = createMailer({ dataDir, from: 'ir@example.com', smtp: { url: `smtp://127.0.0.1:${port}` } });
    await expect(mailer.send(message(key))).rejects.toThrow(/ECONNREFUSED/);
    const relay = await startTestSmtp(port);
    try {
      const delivery = await mailer.send(message(key));
      expect(delivery.possibleDuplicate).toBeUndefined();
      expect(delivery.via).toBe(`smtp://127.0.0.1:${port}`);
      expect(relay.messages.map((m) => m.messageId)).toEqual([messageIdFor(key)]);
    } finally {
      mailer.close();
      await relay.close();
    }
  });

  it('the outbox, which can be looked in, gets the message exactly once after a crash past the write', async () => {
    const dataDir = await tmp();
    const key = 'INC-1/escalation-0';
    const first = createMailer({ dataDir, from: 'ir@example.com', faults: crashAt('mail-after-accept') });
    await expect(first.send(message(key))).rejects.toThrow('simulated crash');
    first.close();
    const written = await readdir(path.join(dataDir, 'outbox'));
    expect(written).toHaveLength(1);
    const next = createMailer({ dataDir, from: 'ir@example.com' });
    const delivery = await next.send(message(key));
    next.close();
    expect(delivery.possibleDuplicate).toBeUndefined();
    expect(await readdir(path.join(dataDir, 'outbox'))).toEqual(written);
    expect(delivery.via).toBe(path.join(dataDir, 'outbox', written[0]));
    expect((await readFile(delivery.via, 'utf8')).replace(/\r?\n[ \t]+/g, ' ')).toContain(
      `Message-ID: ${messageIdFor(key)}`,
    );
  });
});
