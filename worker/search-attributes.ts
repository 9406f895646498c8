import type { Config } from '../domain/config';
import { connectClient } from '../platform/connection';
import { SEARCH_ATTRIBUTES } from '../workflows/incident-api';

// A cluster must know the incident search attributes before a workflow upserts them. The dev server is
// given them on its command line; on a cluster the worker registers any that are missing at start-up.

export async function ensureSearchAttributes(config: Config, address: string): Promise<void> {
  const connection = await connectClient(config, address);
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace: config.temporal.namespace });
    const known = new Set(Object.keys(existing.customAttributes ?? {}));
    const missing = SEARCH_ATTRIBUTES.filter((sa) => !known.has(sa.name));
    if (missing.length === 0) return;
    const typeIds: Record<string, number> = { KEYWORD: 2, DATETIME: 5 };
    await connection.operatorService.addSearchAttributes({
      namespace: config.temporal.namespace,
      searchAttributes: Object.fromEntries(missing.map((sa) => [sa.name, typeIds[sa.type]])),
    });
    console.log(`Registered search attributes: ${missing.map((sa) => sa.name).join(', ')}`);
  } catch (err) {
    console.error(
      `Could not register the search attributes (${(err as Error).message.split('\n')[0]}). Ask the cluster operator to create: ${SEARCH_ATTRIBUTES.map((sa) => `${sa.name} (${sa.type})`).join(', ')}.`,
    );
  } finally {
    await connection.close();
  }
}
