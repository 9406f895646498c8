import type { Connection } from '@temporalio/client';
import type { Config } from '../platform/config/schema';
import { connectClient } from '../platform/connection';
import { SEARCH_ATTRIBUTES } from '../workflows/incident-api';

// A cluster must know the incident search attributes before a workflow upserts them. The dev server is
// given them on its command line; on a cluster the worker registers any that are missing at start-up.

// temporal.api.enums.v1.IndexedValueType
const TYPE_IDS: Record<string, number> = { KEYWORD: 2, DATETIME: 6 };

export async function registerSearchAttributes(
  connection: Connection,
  namespace: string,
  { assumeNone = false } = {},
): Promise<string[]> {
  // The time-skipping test server can add search attributes but not list them.
  const known = assumeNone
    ? new Set<string>()
    : new Set(
        Object.keys((await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {}),
      );
  const missing = SEARCH_ATTRIBUTES.filter((sa) => !known.has(sa.name));
  if (missing.length) {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((sa) => [sa.name, TYPE_IDS[sa.type]])),
    });
  }
  return missing.map((sa) => sa.name);
}

export async function ensureSearchAttributes(config: Config, address: string): Promise<void> {
  const connection = await connectClient(config, address);
  try {
    const added = await registerSearchAttributes(connection, config.temporal.namespace);
    if (added.length) console.log(`Registered search attributes: ${added.join(', ')}`);
  } catch (err) {
    console.error(
      `Could not register the search attributes (${(err as Error).message.split('\n')[0]}). Ask the cluster operator to create: ${SEARCH_ATTRIBUTES.map((sa) => `${sa.name} (${sa.type})`).join(', ')}.`,
    );
  } finally {
    await connection.close();
  }
}
