import path from 'node:path';
import type { PostgresConfig } from '../../platform/config/storage-schema';
import { importMailLedger } from './pg-import-ledger';
import { importManifests } from './pg-import-manifests';
import { ImportTally, type ImportSummary } from '../import-tally';
import { importTrails } from './pg-import-trails';
import { preparePostgres } from './pg-prepare';

const PG_ITEMS = ['trails', 'ledger', 'intents', 'manifests'] as const;
const PG_ROWS = ['entries', 'checkpoints'] as const;
type PgItem = (typeof PG_ITEMS)[number];
type PgRows = (typeof PG_ROWS)[number];
/** What the PostgreSQL copy counts: items of each kind, and the trails' entries and checkpoints. */
export type PgImportTally = ImportTally<PgItem, PgRows>;

// Moving an installation that kept everything under its data dir onto the installation's PostgreSQL:
// trails with their checkpoints, the mail ledger and sending intents, and the index of evidence copies. The local files are only
// read, never changed, so the data dir stays what it was and the copy can be run again (copying nothing
// the database already holds the same).

export async function importLocalStorage(
  settings: PostgresConfig,
  dataDir: string,
): Promise<ImportSummary<PgItem, PgRows> & { where: string }> {
  const { pool, where } = await preparePostgres(settings, 'Nothing was copied.');
  const tally: PgImportTally = new ImportTally(PG_ITEMS, PG_ROWS);
  try {
    await importTrails(pool, path.join(dataDir, 'audit'), tally);
    await importMailLedger(pool, path.join(dataDir, 'mail-ledger'), tally);
    await importManifests(pool, path.join(dataDir, 'evidence'), tally);
  } finally {
    await pool.end();
  }
  return { ...tally.result(), where };
}
