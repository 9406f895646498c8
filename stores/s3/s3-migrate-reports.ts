import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { INCIDENT_ID_PATTERN } from '../../domain/incident';
import { SEALED_SUFFIX } from '../../platform/encryption/at-rest/format';
import type { S3ImportTally } from './s3-migrate-evidence';
import type { S3ReportStore } from './s3-report-store';

// `incident storage migrate --to s3`, the rendered reports: reports/<incident>/<file> under the data dir
// become locked versions of the same names in the bucket, read back before they count (the report store's
// write). A report the bucket already holds as it is here is left; one it holds otherwise, or in the other
// variant (sealed where this is plain, or the reverse), is a rendering made since, which a copy of the
// older one must not retire: it is named, and nothing is written for it.

const otherVariant = (file: string) =>
  file.endsWith(SEALED_SUFFIX) ? file.slice(0, -SEALED_SUFFIX.length) : file + SEALED_SUFFIX;

export async function migrateReports(store: S3ReportStore, reportsDir: string, tally: S3ImportTally): Promise<void> {
  const incidents = await readdir(reportsDir, { withFileTypes: true }).catch(() => []);
  for (const incident of incidents.filter((e) => e.isDirectory() && INCIDENT_ID_PATTERN.test(e.name))) {
    const dir = path.join(reportsDir, incident.name);
    for (const file of (await readdir(dir)).filter((f) => !f.endsWith('.tmp')).sort()) {
      const local = path.join(dir, file);
      try {
        await migrateReport(store, incident.name, file, local, tally);
      } catch (err) {
        tally.problem({ item: local, problem: `was not moved: ${(err as Error).message} Run the migration again.` });
      }
    }
  }
}

async function migrateReport(
  store: S3ReportStore,
  incidentId: string,
  file: string,
  local: string,
  tally: S3ImportTally,
): Promise<void> {
  const body = await readFile(local);
  const there = await store.read(incidentId, file);
  if (there?.equals(body)) {
    tally.count('reports', 'alreadyThere');
    return;
  }
  const other = there ? undefined : await store.read(incidentId, otherVariant(file));
  if (there || other) {
    tally.problem({
      item: local,
      problem: `was not moved: ${store.where(incidentId)} already holds a different ${there ? file : otherVariant(file)}, rendered since. Compare them (incident report ${incidentId} --stored) before going on; nothing was written for it.`,
    });
    return;
  }
  await store.write(incidentId, file, body, otherVariant(file));
  tally.count('reports', 'copied');
}
