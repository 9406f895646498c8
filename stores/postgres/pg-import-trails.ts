import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Pool, PoolClient } from 'pg';
import { parseCheckpoint } from '../../domain/audit-checkpoint';
import { completeAuditLines, verifyAuditText } from '../../domain/audit-text';
import { INCIDENT_ID_PATTERN } from '../../domain/incident';
import { checkpointsPathFor, readIfPresent } from '../audit-store';
import type { ImportProblem } from '../import-tally';
import type { PgImportTally } from './pg-import';
import { withTrailLock } from './pg-trail-lock';

// `incident storage migrate --to postgres`, the trails: each local trail and its signed checkpoints go
// into the installation's tables exactly as the file holds them, under the lock appends take, in one
// transaction per incident, then are read back and compared line for line. A trail the database already
// holds is left alone when it is the same; when the file goes further (the worker wrote on after an
// earlier copy), only the rest is added; any other difference is refused and reported, nothing written.

async function storedLines(db: Pool | PoolClient, table: string, incidentId: string): Promise<string[]> {
  const { rows } = await db.query<{ line: string }>(`SELECT line FROM ${table} WHERE incident_id = $1 ORDER BY seq`, [
    incidentId,
  ]);
  return rows.map((r) => r.line);
}

const seqOf = (line: string) => (JSON.parse(line) as { seq: number }).seq;

export async function importTrails(pool: Pool, auditDir: string, tally: PgImportTally): Promise<void> {
  const files = (await readdir(auditDir).catch(() => [] as string[]))
    .filter((f) => f.endsWith('.jsonl') && !f.endsWith('.checkpoints.jsonl'))
    .sort();
  for (const file of files) {
    const incidentId = file.slice(0, -'.jsonl'.length);
    const trailFile = path.join(auditDir, file);
    if (!INCIDENT_ID_PATTERN.test(incidentId)) {
      tally.problem({ item: trailFile, problem: 'is not named after an incident id; left where it is' });
      continue;
    }
    const problem = await importTrail(pool, incidentId, trailFile, tally);
    if (problem) tally.problem(problem);
  }
}

async function importTrail(
  pool: Pool,
  incidentId: string,
  trailFile: string,
  tally: PgImportTally,
): Promise<ImportProblem | undefined> {
  const lines = completeAuditLines((await readIfPresent(trailFile)) ?? '');
  const verdict = verifyAuditText(lines.map((l) => `${l}\n`).join(''), incidentId);
  if (!verdict.ok)
    return {
      item: trailFile,
      problem: `does not verify (line ${verdict.line}: ${verdict.problem}); not copied. Check it with incident audit ${incidentId} --verify --offline --file ${trailFile}`,
    };
  const checkpoints = completeAuditLines((await readIfPresent(checkpointsPathFor(trailFile))) ?? '').filter(
    (line) => parseCheckpoint(line)?.incidentId === incidentId,
  );
  const outcome = await withTrailLock(
    pool,
    incidentId,
    (client) => addMissing(client, incidentId, trailFile, lines, checkpoints),
    (result) => !('problem' in result),
  );
  if ('problem' in outcome) return outcome;
  const added = outcome;
  // Read back with a fresh query: what the database now serves must be the file's lines, each one.
  const entriesBack = await storedLines(pool, 'audit_entries', incidentId);
  const checkpointsBack = new Set(await storedLines(pool, 'audit_checkpoints', incidentId));
  if (entriesBack.length < lines.length || lines.some((line, i) => entriesBack[i] !== line))
    return { item: trailFile, problem: 'was copied but does not read back the same from the database' };
  if (checkpoints.some((line) => !checkpointsBack.has(line)))
    return { item: checkpointsPathFor(trailFile), problem: 'was copied but does not read back the same' };
  tally.count('trails', added.entries + added.checkpoints > 0 ? 'copied' : 'alreadyThere');
  tally.add('entries', added.entries);
  tally.add('checkpoints', added.checkpoints);
  return undefined;
}

async function addMissing(
  client: PoolClient,
  incidentId: string,
  trailFile: string,
  lines: string[],
  checkpoints: string[],
): Promise<{ entries: number; checkpoints: number } | ImportProblem> {
  const stored = await storedLines(client, 'audit_entries', incidentId);
  const common = Math.min(stored.length, lines.length);
  for (let i = 0; i < common; i++)
    if (stored[i] !== lines[i])
      return {
        item: trailFile,
        problem: `differs from the trail the database holds at seq ${i + 1}; nothing copied for ${incidentId}. Compare them with incident audit ${incidentId} --verify and --verify --offline --file ${trailFile}`,
      };
  const newEntries = lines.slice(stored.length);
  if (newEntries.length)
    await client.query(
      `INSERT INTO audit_entries (incident_id, seq, hash, line)
       SELECT $1, s, h, l FROM unnest($2::bigint[], $3::text[], $4::text[]) AS t(s, h, l)`,
      [incidentId, newEntries.map(seqOf), newEntries.map((l) => (JSON.parse(l) as { hash: string }).hash), newEntries],
    );
  const storedCheckpoints = new Map(
    (await storedLines(client, 'audit_checkpoints', incidentId)).map((l) => [seqOf(l), l]),
  );
  const newCheckpoints: string[] = [];
  for (const line of checkpoints) {
    const there = storedCheckpoints.get(seqOf(line));
    if (there === undefined) {
      newCheckpoints.push(line);
      storedCheckpoints.set(seqOf(line), line);
    } else if (there !== line) {
      return {
        item: checkpointsPathFor(trailFile),
        problem: `holds another checkpoint at seq ${seqOf(line)} than the database; nothing copied for ${incidentId}`,
      };
    }
  }
  if (newCheckpoints.length)
    await client.query(
      `INSERT INTO audit_checkpoints (incident_id, seq, line)
       SELECT $1, s, l FROM unnest($2::bigint[], $3::text[]) AS t(s, l)`,
      [incidentId, newCheckpoints.map(seqOf), newCheckpoints],
    );
  return { entries: newEntries.length, checkpoints: newCheckpoints.length };
}
