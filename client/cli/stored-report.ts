import path from 'node:path';
import type { Config } from '../../platform/config/schema';
import { openBuffer } from '../../platform/encryption/at-rest/buffers';
import { AtRestError } from '../../platform/encryption/at-rest/errors';
import { SEALED_SUFFIX } from '../../platform/encryption/at-rest/format';
import { LocalReportStore, type ReportStore } from '../../stores/report-store';
import { s3Client, S3SetupError } from '../../stores/s3/s3-client';
import { S3ReportStore } from '../../stores/s3/s3-report-store';
import { CliProblem, keyRingForReading } from './problem';
import { INCIDENT_ID_PATTERN } from '../../domain/incident';

// `incident report --stored`: the report as the worker rendered it, from where the worker keeps reports
// (the data dir, or the object store with storage.s3), decrypted when it is encrypted at rest
// (<kind>.<format>.enc). It needs no Temporal, so it still reads the reports of an incident whose history
// the cluster no longer keeps.

function reportStore(config: Config, env: NodeJS.ProcessEnv): { store: ReportStore; close(): void } {
  const settings = config.storage.s3;
  if (!settings) return { store: new LocalReportStore(path.join(config.dataDir, 'reports')), close: () => undefined };
  try {
    const client = s3Client(settings, env);
    return { store: new S3ReportStore(client, settings), close: () => client.destroy() };
  } catch (err) {
    if (err instanceof S3SetupError) throw new CliProblem('usage', err.message);
    throw err;
  }
}

async function readBoth(store: ReportStore, incidentId: string, file: string) {
  try {
    const sealed = await store.read(incidentId, file + SEALED_SUFFIX);
    return sealed ? { sealed } : { plain: await store.read(incidentId, file) };
  } catch (err) {
    throw new CliProblem(
      'refused',
      `${(err as Error).message} Check storage.s3 and the credentials, then run it again.`,
    );
  }
}

/** Reads an incident's stored reports; one store (and, with S3, one client) until close(). */
export interface StoredReports {
  /** The report as rendered, decrypted when sealed; refused with what to do when there is none. */
  read(incidentId: string, kind: string, format: string): Promise<string>;
  /** The names of an incident's stored reports (`rfo.html`; a sealed one under its plain name). */
  names(incidentId: string): Promise<string[]>;
  close(): void;
}

export function openStoredReports(config: Config, env: NodeJS.ProcessEnv): StoredReports {
  const { store, close } = reportStore(config, env);
  return {
    async read(incidentId, kind, format) {
      if (!INCIDENT_ID_PATTERN.test(incidentId))
        throw new CliProblem('usage', `"${incidentId}" is not an incident id (letters, digits, . _ - ).`);
      const file = `${kind}.${format}`;
      const found = await readBoth(store, incidentId, file);
      if (found.plain) return found.plain.toString('utf8');
      if (!found.sealed)
        throw new CliProblem(
          'refused',
          `No ${kind} report rendered for ${incidentId} under ${store.where(incidentId)}. Render it with: incident reports ${incidentId} (or leave out --stored to render it now).`,
        );
      const ring = keyRingForReading(env, config.dataDir, config.temporal.namespace);
      try {
        return openBuffer(ring, found.sealed, `${store.where(incidentId)}/${file}${SEALED_SUFFIX}`).toString('utf8');
      } catch (err) {
        if (err instanceof AtRestError) throw new CliProblem('refused', err.message);
        throw err;
      }
    },
    async names(incidentId) {
      if (!INCIDENT_ID_PATTERN.test(incidentId)) return [];
      const files = await store.list(incidentId);
      return [...new Set(files.map((f) => (f.endsWith(SEALED_SUFFIX) ? f.slice(0, -SEALED_SUFFIX.length) : f)))].sort();
    },
    close,
  };
}

/** One report, for a command that reads one: the store is opened and closed around it. */
export async function readStoredReport(
  config: Config,
  incidentId: string,
  kind: string,
  format: string,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const reports = openStoredReports(config, env);
  try {
    return await reports.read(incidentId, kind, format);
  } finally {
    reports.close();
  }
}

export async function storedReportNames(config: Config, incidentId: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const reports = openStoredReports(config, env);
  try {
    return await reports.names(incidentId);
  } finally {
    reports.close();
  }
}
