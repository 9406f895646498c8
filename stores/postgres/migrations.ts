import type { Pool, PoolClient } from 'pg';

// The schema, as numbered migrations applied in order at start, each in its own transaction, under an
// advisory lock so that workers starting together apply each once. The trail tables are append-only
// twice over: the worker's role is granted INSERT and SELECT only, and a trigger refuses UPDATE, DELETE
// and TRUNCATE to everyone, the owner included (only someone who can drop the trigger can rewrite, and
// the signed checkpoints and Temporal's heads would still show it).

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'audit trail entries and signed checkpoints, append-only',
    sql: `
      CREATE TABLE audit_entries (
        incident_id text NOT NULL,
        seq bigint NOT NULL CHECK (seq > 0),
        hash text NOT NULL,
        line text NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, seq)
      );
      CREATE TABLE audit_checkpoints (
        incident_id text NOT NULL,
        seq bigint NOT NULL CHECK (seq > 0),
        line text NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, seq)
      );
      CREATE FUNCTION refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
        FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
      CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();
      CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
        FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
      CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();
      REVOKE ALL ON audit_entries, audit_checkpoints FROM PUBLIC;
    `,
  },
  {
    version: 2,
    description: 'mail ledger (append-only) and sending intents, shared by every worker',
    sql: `
      CREATE TABLE mail_ledger (
        key_hash text PRIMARY KEY,
        key text NOT NULL,
        record jsonb NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE mail_intents (
        key_hash text PRIMARY KEY,
        intent jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TRIGGER mail_ledger_append_only BEFORE UPDATE OR DELETE ON mail_ledger
        FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
      CREATE TRIGGER mail_ledger_no_truncate BEFORE TRUNCATE ON mail_ledger
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();
      REVOKE ALL ON mail_ledger, mail_intents FROM PUBLIC;
    `,
  },
  {
    version: 3,
    description: 'evidence manifests (append-only): where each forensic copy is and its hash',
    sql: `
      CREATE TABLE evidence_manifests (
        incident_id text NOT NULL,
        system text NOT NULL,
        round integer NOT NULL CHECK (round > 0),
        sha256 text NOT NULL,
        record jsonb NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, system, round)
      );
      CREATE TRIGGER evidence_manifests_append_only BEFORE UPDATE OR DELETE ON evidence_manifests
        FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
      CREATE TRIGGER evidence_manifests_no_truncate BEFORE TRUNCATE ON evidence_manifests
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();
      REVOKE ALL ON evidence_manifests FROM PUBLIC;
    `,
  },
];

/** What the worker's role may do, table by table: records are only ever added; intents come and go. */
const WORKER_GRANTS: [table: string, privileges: string][] = [
  ['audit_entries', 'SELECT, INSERT'],
  ['audit_checkpoints', 'SELECT, INSERT'],
  ['mail_ledger', 'SELECT, INSERT'],
  ['mail_intents', 'SELECT, INSERT, UPDATE, DELETE'],
  ['evidence_manifests', 'SELECT, INSERT'],
  ['schema_version', 'SELECT'],
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Any constant shared by every worker of the installation: the advisory lock migrations take. */
const MIGRATION_LOCK = 7_261_540_331;

export class SchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaError';
  }
}

async function currentVersion(client: PoolClient): Promise<number> {
  const exists = await client.query<{ t: string | null }>("SELECT to_regclass('schema_version')::text AS t");
  if (!exists.rows[0].t) return 0;
  const { rows } = await client.query<{ v: number }>('SELECT coalesce(max(version), 0)::int AS v FROM schema_version');
  return rows[0].v;
}

function tooNew(version: number): SchemaError {
  return new SchemaError(
    `The database's schema is version ${version}, newer than this worker knows (${SCHEMA_VERSION}): a newer worker migrated it. Upgrade this worker; it will not write to a schema it does not know.`,
  );
}

/**
 * Brings the schema to SCHEMA_VERSION with the owner's pool, and grants the worker's role (when it is
 * another) INSERT and SELECT on the trail tables only. Refuses a schema newer than this code.
 */
export async function migrate(owner: Pool, workerRole?: string): Promise<{ from: number; to: number }> {
  const client = await owner.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const from = await currentVersion(client);
    if (from > SCHEMA_VERSION) throw tooNew(from);
    // Nothing to apply needs no DDL: a worker whose role may not create tables starts on a current schema.
    if (from < SCHEMA_VERSION)
      await client.query(`CREATE TABLE IF NOT EXISTS schema_version (
        version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    for (const m of MIGRATIONS.filter((m) => m.version > from)) {
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_version (version, description) VALUES ($1, $2)', [
          m.version,
          m.description,
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new SchemaError(`Migration ${m.version} (${m.description}) failed: ${(err as Error).message}`);
      }
    }
    const self = (await client.query<{ u: string }>('SELECT current_user AS u')).rows[0].u;
    if (workerRole && workerRole !== self) {
      const role = client.escapeIdentifier(workerRole);
      for (const [table, privileges] of WORKER_GRANTS) await client.query(`GRANT ${privileges} ON ${table} TO ${role}`);
    }
    return { from, to: SCHEMA_VERSION };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}

/** What a worker checks with its own role: the schema is the one it knows (older: run the migration). */
export async function checkSchema(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    const version = await currentVersion(client);
    if (version > SCHEMA_VERSION) throw tooNew(version);
    if (version < SCHEMA_VERSION)
      throw new SchemaError(
        `The database's schema is version ${version}; this worker needs ${SCHEMA_VERSION}. Set storage.postgres.migrationUrl (DATABASE_MIGRATION_URL) to the owner's connection so the worker applies the migrations at start.`,
      );
  } finally {
    client.release();
  }
}
