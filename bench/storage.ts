import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { JsonlAuditStore, type AuditStore } from '../stores/audit-store';
import { PostgresAuditStore } from '../stores/postgres/pg-audit-store';
import { preparePostgres } from '../stores/postgres/pg-prepare';
import { startTestPostgres } from '../test/helpers/postgres-server';
import { benchSigning } from './trail-appends';
import { benchRecord } from './trail-fixture';
import { printTable, type Row } from './trail-table';

// The audit trail's two stores side by side: appends per second and append latency (p50, p99) for the
// file store and for PostgreSQL, each beside a floor measured in the same run on the same disk or server
// (a bare append + fdatasync of the same line; a bare autocommitted INSERT of it), with one incident
// appending alone and with many at once, as in an alert storm. Every store append signs a checkpoint,
// as the worker's does. The server is Debian's PostgreSQL started for the run with fsync on.
// Usage: npm run bench:storage [-- APPENDS_PER_INCIDENT [RUNS]]

const APPENDS = Number(process.argv[2] ?? 200);
const RUNS = Number(process.argv[3] ?? 3);
const CONCURRENCY = [1, 16];

type AppendFn = (incidentId: string, seq: number) => Promise<void>;

interface Run {
  perSecond: number;
  p50: number;
  p99: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** `incidents` incidents at once, each making APPENDS one-entry appends in order. */
async function timeRun(label: string, incidents: number, append: AppendFn): Promise<Run> {
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: incidents }, async (_, i) => {
      const id = `INC-${label}-${i}`;
      for (let seq = 1; seq <= APPENDS; seq++) {
        const t = performance.now();
        await append(id, seq);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const ms = performance.now() - start;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: (incidents * APPENDS) / (ms / 1000),
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
  };
}

const line = (incidentId: string, seq: number) => JSON.stringify(benchRecord(seq, incidentId));

function storeAppend(store: AuditStore): AppendFn {
  return async (incidentId, seq) => {
    const result = await store.append(incidentId, [benchRecord(seq, incidentId)]);
    if (result.written !== 1 || result.checkpoint?.seq !== seq) throw new Error(`${incidentId} seq ${seq} not stored`);
  };
}

function fileFloor(dir: string): AppendFn {
  return async (incidentId, seq) => {
    const handle = await open(path.join(dir, `${incidentId}.floor`), 'a');
    try {
      await handle.write(line(incidentId, seq) + '\n');
      await handle.datasync();
    } finally {
      await handle.close();
    }
  };
}

function postgresFloor(pool: pg.Pool): AppendFn {
  return async (incidentId, seq) => {
    await pool.query('INSERT INTO bench_floor (incident_id, seq, line) VALUES ($1, $2, $3)', [
      incidentId,
      seq,
      line(incidentId, seq),
    ]);
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-storage-'));
  const db = await startTestPostgres({ durable: true });
  const signing = benchSigning();
  const { pool, where } = await preparePostgres(
    { url: db.workerUrl, migrationUrl: db.ownerUrl, poolMax: 20, statementTimeoutMs: 10_000 },
    '',
  );
  const owner = new pg.Pool({ connectionString: db.ownerUrl, max: 20 });
  owner.on('error', () => undefined); // the server's shutdown at the end reaches idle connections
  try {
    await owner.query(
      'CREATE TABLE bench_floor (incident_id text, seq bigint, line text, PRIMARY KEY (incident_id, seq))',
    );
    const file = new JsonlAuditStore(path.join(dir, 'audit'), undefined, signing);
    const postgres = new PostgresAuditStore(pool, where, undefined, signing);
    const rows: Row[] = [];
    for (const incidents of CONCURRENCY) {
      const subjects: [string, string, AppendFn, AppendFn][] = [
        ['file', 'append+fdatasync', storeAppend(file), fileFloor(dir)],
        ['PostgreSQL', 'bare INSERT', storeAppend(postgres), postgresFloor(owner)],
      ];
      for (const [name, floorName, append, floor] of subjects) {
        const runs: Run[] = [];
        const floors: Run[] = [];
        for (let r = 0; r < RUNS; r++) {
          runs.push(await timeRun(`${name}-${incidents}-${r}`, incidents, append));
          floors.push(await timeRun(`${name}-${incidents}-${r}-floor`, incidents, floor));
        }
        const what = `${name}, ${incidents} incident${incidents > 1 ? 's' : ''} at once`;
        rows.push(
          {
            what: `${what}: appends/s`,
            unit: '/s',
            values: runs.map((x) => x.perSecond),
            floor: { name: floorName, values: floors.map((x) => x.perSecond) },
          },
          {
            what: `${what}: p50 latency`,
            unit: 'µs',
            values: runs.map((x) => x.p50 * 1000),
            floor: { name: 'µs', values: floors.map((x) => x.p50 * 1000) },
          },
          {
            what: `${what}: p99 latency`,
            unit: 'µs',
            values: runs.map((x) => x.p99 * 1000),
            floor: { name: 'µs', values: floors.map((x) => x.p99 * 1000) },
          },
        );
      }
    }
    console.log(
      `Audit appends with a signed checkpoint each, ${APPENDS} per incident, ${RUNS} runs, ${os.cpus().length} cores; medians of the runs, floors measured between them`,
    );
    printTable(rows);
  } finally {
    await owner.end();
    await pool.end();
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
