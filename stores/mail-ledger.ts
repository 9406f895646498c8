import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { readJson, writeDurably } from './durable-files';

// What the mailer remembers between attempts: the delivery of each key (the ledger, which prevents a
// second CTO alert) and the sending intent written before each hand-over. Files under the data dir by
// default; the installation's PostgreSQL (stores/postgres/pg-mail-ledger.ts), shared by every worker,
// when storage.postgres is set.

/** Written, durably, before each attempt; removed once the delivery is in the ledger. */
export interface SendIntent {
  key: string;
  messageId: string;
  to: string[];
  firstAttemptAt: string;
  attempts: number;
  /** "in-flight" from before the hand-over until its outcome is known; "not-accepted" when the relay certainly refused or was never reached. */
  state: 'in-flight' | 'not-accepted';
  /** Some earlier attempt ended (a crash, a lost connection) without knowing whether the relay accepted it. */
  uncertain: boolean;
  /** The outbox file, named once so that every attempt writes the same file. */
  outboxFile?: string;
}

/** The ledger's record of a delivered key. */
export interface LedgerRecord {
  messageId: string;
  deduplicated: boolean;
  via: string;
  possibleDuplicate?: boolean;
  key: string;
  to: string[];
  at: string;
  attempts: number;
}

export interface MailLedger {
  delivered(key: string): Promise<LedgerRecord | undefined>;
  intent(key: string): Promise<SendIntent | undefined>;
  saveIntent(intent: SendIntent): Promise<void>;
  /** Records the delivery and drops its intent; a key already recorded keeps its first record. */
  record(delivery: LedgerRecord): Promise<void>;
  /**
   * Runs `send` with no other worker sending the same key meanwhile, handing it the ledger to use while it
   * does (bound to the connection that holds the lock, where there is one).
   */
  exclusive<T>(key: string, send: (ledger: MailLedger) => Promise<T>): Promise<T>;
  close?(): Promise<void>;
}

/** How a key is named in every ledger: its SHA-256 (a file name, a primary key). */
export const ledgerKeyHash = (key: string) => createHash('sha256').update(key).digest('hex');

/** One worker per data dir: the files need no lock between processes. */
export function fileMailLedger(dir: string): MailLedger {
  const fileFor = (key: string, kind: 'ledger' | 'intent') =>
    path.join(dir, `${ledgerKeyHash(key)}${kind === 'intent' ? '.sending' : ''}.json`);
  const ledger: MailLedger = {
    delivered: (key) => readJson<LedgerRecord>(fileFor(key, 'ledger')),
    intent: (key) => readJson<SendIntent>(fileFor(key, 'intent')),
    saveIntent: (intent) => writeDurably(fileFor(intent.key, 'intent'), JSON.stringify(intent)),
    async record(delivery) {
      await writeDurably(fileFor(delivery.key, 'ledger'), JSON.stringify(delivery));
      await rm(fileFor(delivery.key, 'intent'), { force: true });
    },
    exclusive: (_key, send) => send(ledger),
  };
  return ledger;
}
