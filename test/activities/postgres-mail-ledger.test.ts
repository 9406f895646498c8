import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createMailer, messageIdFor, type Mailer } from '../../activities/mailer';
import type { MailMessage } from '../../domain/notices';
import { parseConfig } from '../../platform/config/schema';
import { migrate } from '../../stores/postgres/migrations';
import { postgresMailLedger } from '../../stores/postgres/pg-mail-ledger';
import { postgresPool, roleOf } from '../../stores/postgres/pg-pool';
import { uniqueId } from '../helpers/fixtures';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp';

// Two workers on two machines (two data dirs), one mail ledger in PostgreSQL: a message is handed to the
// relay once per key whichever worker sends it, even when both send it at the same moment.

let smtp: TestSmtp;
const pools: pg.Pool[] = [];
const mailers: Mailer[] = [];

const settings = parseConfig(
  { dataDir: '/tmp', storage: { postgres: { url: 'postgres://x@127.0.0.1/incidents' } } },
  {},
  'test',
).storage.postgres!;

async function workerMailer(): Promise<Mailer> {
  const pool = postgresPool(settings, inject('postgresWorkerUrl'));
  pools.push(pool);
  const mailer = createMailer({
    dataDir: await mkdtemp(path.join(os.tmpdir(), 'incident-ledger-')),
    from: 'Incident Response <ir@example.com>',
    smtp: { url: smtp.url },
    ledger: postgresMailLedger(pool),
  });
  mailers.push(mailer);
  return mailer;
}

const alert = (key: string): MailMessage => ({
  key,
  to: ['cto@example.com'],
  subject: `Security incident ${key}`,
  text: 'A security incident has been opened.',
  html: '<p>A security incident has been opened.</p>',
});

beforeAll(async () => {
  const owner = postgresPool(settings, inject('postgresOwnerUrl'));
  await migrate(owner, roleOf(inject('postgresWorkerUrl')));
  await owner.end();
  smtp = await startTestSmtp();
});

afterAll(async () => {
  for (const m of mailers) m.close();
  await Promise.all(pools.map((p) => p.end()));
  await smtp?.close();
});

const received = (key: string) => smtp.messages.filter((m) => m.subject === `Security incident ${key}`);

describe('the mail ledger in PostgreSQL', () => {
  it('a key sent by one worker is not sent again by another', async () => {
    const [a, b] = [await workerMailer(), await workerMailer()];
    const key = uniqueId('senior-alert');
    const first = await a.send(alert(key));
    expect(first).toMatchObject({ deduplicated: false, messageId: messageIdFor(key) });
    const second = await b.send(alert(key));
    expect(second).toMatchObject({ deduplicated: true, messageId: messageIdFor(key) });
    expect(await b.delivered(key)).toMatchObject({ messageId: messageIdFor(key), via: first.via });
    expect(received(key)).toHaveLength(1);
  });

  it('twenty sends of one key from two workers at the same moment reach the relay once', async () => {
    const [a, b] = [await workerMailer(), await workerMailer()];
    const key = uniqueId('senior-alert');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).send(alert(key))));
    expect(results.filter((r) => !r.deduplicated)).toHaveLength(1);
    expect(received(key)).toHaveLength(1);
  });

  it('an attempt interrupted on one machine makes the retry on another say the relay may hold two copies', async () => {
    const pool = postgresPool(settings, inject('postgresWorkerUrl'));
    pools.push(pool);
    const key = uniqueId('senior-alert');
    // What a worker killed after its hand-over leaves: an intent in flight, no delivery.
    await postgresMailLedger(pool).saveIntent({
      key,
      messageId: messageIdFor(key),
      to: ['cto@example.com'],
      firstAttemptAt: '2026-12-03T10:00:00.000Z',
      attempts: 1,
      state: 'in-flight',
      uncertain: false,
    });
    const retried = await (await workerMailer()).send(alert(key));
    expect(retried.possibleDuplicate).toBe(true);
    expect(retried.via).toContain('possible duplicate');
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM mail_intents WHERE intent->>$1 = $2', [
      'key',
      key,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it("the worker's role cannot change or remove a delivery", async () => {
    const pool = postgresPool(settings, inject('postgresWorkerUrl'));
    pools.push(pool);
    for (const sql of ["UPDATE mail_ledger SET record = '{}'", 'DELETE FROM mail_ledger', 'TRUNCATE mail_ledger'])
      await expect(pool.query(sql), sql).rejects.toThrow('permission denied for table mail_ledger');
  });
});
