import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Pool } from 'pg';
import { canonicalJson } from '../../domain/canonical-json';
import { ledgerKeyHash, type LedgerRecord, type SendIntent } from '../mail-ledger';
import type { PgImportTally } from './pg-import';

// `incident storage migrate --to postgres`, the mail ledger: each delivery the data dir remembers goes
// into the shared ledger, so that no worker of the installation sends that message again, and each
// sending intent (a send cut short whose outcome is unknown) goes with it, so that the retry says the
// relay may hold two copies. Each row is read back and compared with its file.

const LEDGER_FILE = /^([0-9a-f]{64})\.json$/;
const INTENT_FILE = /^([0-9a-f]{64})\.sending\.json$/;
const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

async function readRecord<T extends { key: string }>(file: string, hash: string): Promise<T | string> {
  let value: T;
  try {
    value = JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return 'is not JSON; left where it is';
  }
  if (typeof value?.key !== 'string' || ledgerKeyHash(value.key) !== hash)
    return 'does not hold the key its name was made from; left where it is';
  return value;
}

export async function importMailLedger(pool: Pool, ledgerDir: string, tally: PgImportTally): Promise<void> {
  const files = (await readdir(ledgerDir).catch(() => [] as string[])).sort();
  for (const name of files) {
    const file = path.join(ledgerDir, name);
    const delivery = LEDGER_FILE.exec(name);
    const sending = INTENT_FILE.exec(name);
    if (delivery) {
      const record = await readRecord<LedgerRecord>(file, delivery[1]);
      if (typeof record === 'string') tally.problem({ item: file, problem: record });
      else await importDelivery(pool, file, record, tally);
    } else if (sending) {
      const intent = await readRecord<SendIntent>(file, sending[1]);
      if (typeof intent === 'string') tally.problem({ item: file, problem: intent });
      else await importIntent(pool, file, intent, tally);
    }
  }
}

async function importDelivery(pool: Pool, file: string, record: LedgerRecord, tally: PgImportTally): Promise<void> {
  const hash = ledgerKeyHash(record.key);
  const inserted = await pool.query(
    'INSERT INTO mail_ledger (key_hash, key, record) VALUES ($1, $2, $3) ON CONFLICT (key_hash) DO NOTHING',
    [hash, record.key, JSON.stringify(record)],
  );
  const { rows } = await pool.query<{ record: LedgerRecord }>('SELECT record FROM mail_ledger WHERE key_hash = $1', [
    hash,
  ]);
  if (!rows[0]) return tally.problem({ item: file, problem: 'was copied but does not read back from the database' });
  if (!same(rows[0].record, record))
    return tally.problem({
      item: file,
      problem: `records message ${record.messageId}, but the shared ledger already records ${rows[0].record.messageId} for the same key (sent by another worker); the shared record stays, the file is left as it is`,
    });
  tally.count('ledger', inserted.rowCount ? 'copied' : 'alreadyThere');
}

async function importIntent(pool: Pool, file: string, intent: SendIntent, tally: PgImportTally): Promise<void> {
  const hash = ledgerKeyHash(intent.key);
  // An intent of a key already delivered is over: the ledger's record is what counts.
  const { rows: delivered } = await pool.query('SELECT 1 FROM mail_ledger WHERE key_hash = $1', [hash]);
  if (delivered.length) return tally.count('intents', 'alreadyThere');
  const inserted = await pool.query(
    'INSERT INTO mail_intents (key_hash, intent) VALUES ($1, $2) ON CONFLICT (key_hash) DO NOTHING',
    [hash, JSON.stringify(intent)],
  );
  const { rows } = await pool.query<{ intent: SendIntent }>('SELECT intent FROM mail_intents WHERE key_hash = $1', [
    hash,
  ]);
  if (!rows[0] || (inserted.rowCount && !same(rows[0].intent, intent)))
    return tally.problem({ item: file, problem: 'was copied but does not read back the same from the database' });
  tally.count('intents', inserted.rowCount ? 'copied' : 'alreadyThere');
}
