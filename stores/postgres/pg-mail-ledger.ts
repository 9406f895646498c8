import type { Pool, PoolClient } from 'pg';
import { ledgerKeyHash, type LedgerRecord, type MailLedger, type SendIntent } from '../mail-ledger';

// The mail ledger in PostgreSQL: every worker of the installation sees every delivery, so a CTO alert
// retried on another machine is not sent again. A send holds a per-key advisory lock on its own
// connection and does its ledger work on that connection (so a burst of sends cannot starve itself of
// connections): should two workers run the same send at once (an activity timed out on a live worker),
// the second waits, then finds the first's delivery recorded. A worker that dies drops its connection,
// and with it the lock. Within a process, sends of one key queue first, so they take one connection.

type Queryable = Pick<Pool, 'query'> | PoolClient;

function ledgerOn(db: Queryable, exclusive: MailLedger['exclusive']): MailLedger {
  const ledger: MailLedger = {
    async delivered(key) {
      const { rows } = await db.query<{ record: LedgerRecord }>('SELECT record FROM mail_ledger WHERE key_hash = $1', [
        ledgerKeyHash(key),
      ]);
      return rows[0]?.record;
    },
    async intent(key) {
      const { rows } = await db.query<{ intent: SendIntent }>('SELECT intent FROM mail_intents WHERE key_hash = $1', [
        ledgerKeyHash(key),
      ]);
      return rows[0]?.intent;
    },
    async saveIntent(intent) {
      await db.query(
        `INSERT INTO mail_intents (key_hash, intent) VALUES ($1, $2)
         ON CONFLICT (key_hash) DO UPDATE SET intent = EXCLUDED.intent, updated_at = now()`,
        [ledgerKeyHash(intent.key), JSON.stringify(intent)],
      );
    },
    async record(delivery) {
      // One statement, so the delivery and the end of its intent commit together on any connection.
      await db.query(
        `WITH recorded AS (
           INSERT INTO mail_ledger (key_hash, key, record) VALUES ($1, $2, $3) ON CONFLICT (key_hash) DO NOTHING
         )
         DELETE FROM mail_intents WHERE key_hash = $1`,
        [ledgerKeyHash(delivery.key), delivery.key, JSON.stringify(delivery)],
      );
    },
    exclusive,
  };
  return ledger;
}

export function postgresMailLedger(pool: Pool): MailLedger {
  const queued = new Map<string, Promise<unknown>>();
  async function locked<T>(key: string, send: (ledger: MailLedger) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let held = false;
    try {
      // The wait for another worker's send is not bounded by the statement timeout.
      await client.query('SET statement_timeout = 0');
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 1))', [key]);
      held = true;
      await client.query('RESET statement_timeout');
      // Already held: a send that asks again for the key goes on under the same lock.
      const bound: MailLedger = ledgerOn(client, (_key, again) => again(bound));
      return await send(bound);
    } finally {
      if (held) await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 1))', [key]).catch(() => undefined);
      client.release();
    }
  }
  function exclusive<T>(key: string, send: (ledger: MailLedger) => Promise<T>): Promise<T> {
    const previous = queued.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => locked(key, send));
    queued.set(key, next);
    void next
      .finally(() => {
        if (queued.get(key) === next) queued.delete(key);
      })
      .catch(() => undefined);
    return next;
  }
  return ledgerOn(pool, exclusive);
}
