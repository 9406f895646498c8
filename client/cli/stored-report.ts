import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { openBuffer } from '../../platform/encryption/at-rest/buffers';
import { AtRestError } from '../../platform/encryption/at-rest/errors';
import { SEALED_SUFFIX } from '../../platform/encryption/at-rest/format';
import { CliProblem, keyRingForReading } from './problem';
import { INCIDENT_ID_PATTERN } from '../../domain/incident';

// `incident report --stored`: the report as the worker rendered it under the data dir, decrypted when
// it is encrypted at rest (<kind>.<format>.enc). It needs no Temporal, so it still reads the reports of
// an incident whose history the cluster no longer keeps.

export async function readStoredReport(
  dataDir: string,
  incidentId: string,
  kind: string,
  format: string,
  env: NodeJS.ProcessEnv,
  namespace?: string,
): Promise<string> {
  if (!INCIDENT_ID_PATTERN.test(incidentId))
    throw new CliProblem('usage', `"${incidentId}" is not an incident id (letters, digits, . _ - ).`);
  const plainFile = path.join(dataDir, 'reports', incidentId, `${kind}.${format}`);
  const sealedFile = plainFile + SEALED_SUFFIX;
  const sealed = await readFile(sealedFile).catch(() => undefined);
  if (!sealed) {
    const plain = await readFile(plainFile, 'utf8').catch(() => undefined);
    if (plain === undefined) {
      throw new CliProblem(
        'refused',
        `No ${kind} report rendered for ${incidentId} under ${path.dirname(plainFile)}. Render it with: incident reports ${incidentId} (or leave out --stored to render it now).`,
      );
    }
    return plain;
  }
  const ring = keyRingForReading(env, dataDir, namespace);
  try {
    return openBuffer(ring, sealed, sealedFile).toString('utf8');
  } catch (err) {
    if (err instanceof AtRestError) throw new CliProblem('refused', err.message);
    throw err;
  }
}
