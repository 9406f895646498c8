import type { Pool, PoolClient } from 'pg';
import { chainEntry, type AuditEntry, type AuditRecord } from '../../domain/audit-chain';
import { signCheckpoint, type SignedCheckpoint } from '../../domain/audit-checkpoint';
import { INCIDENT_ID_PATTERN } from '../../domain/incident';
import { NO_FAULTS, type FaultPoints } from '../../platform/fault-points';
import { withTrailLock } from './pg-trail-lock';
import {
  TrailTextStore,
  type AppendOptions,
  type AppendResult,
  type AuditStore,
  type CheckpointSigning,
} from '../audit-store';

// The audit trail in PostgreSQL, shared by every worker of an installation. Each entry is one row keyed
// by (incident, seq) holding the exact JSON line the file store would write, so exports and every
// verifier read the same text. An append takes a per-incident advisory lock for its transaction, so two
// workers retrying the same step never interleave (pg-trail-lock.ts); an entry already stored is a no-op
// only when it is the same entry (same hash); the entries and the checkpoint signing the new head commit
// together.

export class AuditConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditConflictError';
  }
}

function checkId(incidentId: string): void {
  if (!INCIDENT_ID_PATTERN.test(incidentId))
    throw new Error(`Invalid incident id for the audit store: ${JSON.stringify(incidentId)}`);
}

export class PostgresAuditStore extends TrailTextStore implements AuditStore {
  protected readonly missingTrail = 'no audit trail is stored for this incident';

  constructor(
    private readonly pool: Pool,
    /** Where, for messages ("PostgreSQL at host:port/db as user"). */
    private readonly where: string,
    private readonly faults: FaultPoints = NO_FAULTS,
    private readonly signing?: CheckpointSigning,
    private readonly clock: () => Date = () => new Date(),
  ) {
    super();
  }

  location(incidentId: string): string {
    return `${this.where}, trail ${incidentId}`;
  }

  remedy(): string {
    return `Check that ${this.where} is reachable and accepts the worker's role`;
  }

  async append(incidentId: string, records: AuditRecord[], options: AppendOptions = {}): Promise<AppendResult> {
    checkId(incidentId);
    const result = await withTrailLock(this.pool, incidentId, (client) =>
      this.appendIn(client, incidentId, records, options),
    );
    await this.faults.reach('audit-after-write');
    return result;
  }

  private async appendIn(
    client: PoolClient,
    incidentId: string,
    records: AuditRecord[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    const sorted = [...records].sort((a, b) => a.seq - b.seq);
    const { rows } = await client.query<{ line: string }>(
      'SELECT line FROM audit_entries WHERE incident_id = $1 ORDER BY seq DESC LIMIT 1',
      [incidentId],
    );
    let last = rows[0] ? (JSON.parse(rows[0].line) as AuditEntry) : undefined;
    await this.checkAlreadyStored(
      client,
      incidentId,
      sorted.filter((r) => r.seq <= (last?.seq ?? 0)),
    );
    const added: AuditEntry[] = [];
    for (const record of sorted) {
      const lastSeq = last?.seq ?? 0;
      if (record.seq <= lastSeq) continue;
      if (record.seq !== lastSeq + 1)
        throw new Error(
          `Audit gap for ${incidentId}: the trail ends at seq ${lastSeq} but the next entry has seq ${record.seq}`,
        );
      last = chainEntry(last, record);
      added.push(last);
    }
    const checkpoint = last ? await this.storeAndSign(client, incidentId, added, last, options) : undefined;
    return {
      written: added.length,
      lastSeq: last?.seq ?? 0,
      ...(last ? { head: { seq: last.seq, hash: last.hash } } : {}),
      ...(checkpoint ? { checkpoint } : {}),
    };
  }

  /** A retried append finds its entries stored: the same ones, or it is refused (another wrote there). */
  private async checkAlreadyStored(client: PoolClient, incidentId: string, retried: AuditRecord[]): Promise<void> {
    if (!retried.length) return;
    const from = retried[0].seq - 1;
    const { rows } = await client.query<{ line: string }>(
      'SELECT line FROM audit_entries WHERE incident_id = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq',
      [incidentId, from, retried[retried.length - 1].seq],
    );
    const stored = new Map(rows.map((r) => [(JSON.parse(r.line) as AuditEntry).seq, JSON.parse(r.line) as AuditEntry]));
    for (const record of retried) {
      const expected = chainEntry(stored.get(record.seq - 1), record).hash;
      if (stored.get(record.seq)?.hash !== expected)
        throw new AuditConflictError(
          `Audit conflict for ${incidentId}: seq ${record.seq} is already stored with other content; this append is refused and nothing was written.`,
        );
    }
  }

  /**
   * Inserts the new entries and the checkpoint signing the head in one statement (one round trip in the
   * append's transaction). A checkpoint already stored for that head (a retry) is kept and returned.
   */
  private async storeAndSign(
    client: PoolClient,
    incidentId: string,
    added: AuditEntry[],
    head: AuditEntry,
    options: AppendOptions,
  ): Promise<SignedCheckpoint | undefined> {
    const entries = [added.map((e) => e.seq), added.map((e) => e.hash), added.map((e) => JSON.stringify(e))];
    const insertEntries = `INSERT INTO audit_entries (incident_id, seq, hash, line)
      SELECT $1, s, h, l FROM unnest($2::bigint[], $3::text[], $4::text[]) AS t(s, h, l)`;
    if (!this.signing) {
      if (added.length) await client.query(insertEntries, [incidentId, ...entries]);
      return undefined;
    }
    const checkpoint = signCheckpoint(
      {
        incidentId,
        seq: head.seq,
        hash: head.hash,
        at: this.clock().toISOString(),
        temporalAt: options.temporalAt,
        keyId: this.signing.keyId,
      },
      this.signing.privateKey,
    );
    // The statement's snapshot predates its own inserts: the last SELECT sees only a checkpoint stored before.
    const { rows } = await client.query<{ line: string }>(
      `WITH entries AS (${insertEntries}),
         signed AS (
           INSERT INTO audit_checkpoints (incident_id, seq, line) VALUES ($1, $5, $6)
           ON CONFLICT (incident_id, seq) DO NOTHING RETURNING line
         )
       SELECT line FROM audit_checkpoints WHERE incident_id = $1 AND seq = $5
       UNION ALL SELECT line FROM signed`,
      [incidentId, ...entries, head.seq, JSON.stringify(checkpoint)],
    );
    return JSON.parse(rows[0].line) as SignedCheckpoint;
  }

  /** The trail as the file store's JSON lines; undefined when nothing is stored for it. */
  async trailText(incidentId: string): Promise<string | undefined> {
    checkId(incidentId);
    return this.lines('SELECT line FROM audit_entries WHERE incident_id = $1 ORDER BY seq', incidentId);
  }

  async checkpointsText(incidentId: string): Promise<string | undefined> {
    checkId(incidentId);
    return this.lines('SELECT line FROM audit_checkpoints WHERE incident_id = $1 ORDER BY seq', incidentId);
  }

  private async lines(sql: string, incidentId: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ line: string }>(sql, [incidentId]);
    return rows.length ? rows.map((r) => r.line).join('\n') + '\n' : undefined;
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
