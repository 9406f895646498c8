import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { INCIDENT_ID_PATTERN } from '../domain/incident';

// Where the worker keeps the reports it renders when an incident closes, and where `incident report
// --stored` reads them: files under the data dir by default, or the object store (stores/s3). A report
// is stored under its file name (`rfo.html`, or `rfo.html.enc` when encrypted at rest); writing one
// variant retires the other, so switching encryption on never leaves an older plaintext rendering to read.

export interface ReportStore {
  /** Stores `body` as `file`, retiring `otherVariant`; says where it went. */
  write(incidentId: string, file: string, body: Buffer, otherVariant: string): Promise<string>;
  /** The stored bytes of `file`, or undefined when there are none. */
  read(incidentId: string, file: string): Promise<Buffer | undefined>;
  /** The file names stored for an incident (none when it has none). */
  list(incidentId: string): Promise<string[]>;
  /** Where an incident's reports are, for messages. */
  where(incidentId: string): string;
}

export function checkedIncidentId(incidentId: string): string {
  if (!INCIDENT_ID_PATTERN.test(incidentId))
    throw new Error(`Invalid incident id for the report store: ${JSON.stringify(incidentId)}`);
  return incidentId;
}

export class LocalReportStore implements ReportStore {
  constructor(private readonly dir: string) {}

  where(incidentId: string): string {
    return path.join(this.dir, checkedIncidentId(incidentId));
  }

  async write(incidentId: string, file: string, body: Buffer, otherVariant: string): Promise<string> {
    const dir = this.where(incidentId);
    await mkdir(dir, { recursive: true });
    const target = path.join(dir, file);
    // Written whole or not at all: a reader never sees half a report.
    await writeFile(`${target}.tmp`, body, { mode: 0o640 });
    await rename(`${target}.tmp`, target);
    await rm(path.join(dir, otherVariant), { force: true });
    return target;
  }

  list(incidentId: string): Promise<string[]> {
    return readdir(this.where(incidentId)).then(
      (files) => files.filter((f) => !f.endsWith('.tmp')),
      () => [],
    );
  }

  async read(incidentId: string, file: string): Promise<Buffer | undefined> {
    return readFile(path.join(this.where(incidentId), file)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
  }
}
