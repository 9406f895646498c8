import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

// Adds a run's history to the replay corpus when RECORD_HISTORIES=1 (README, "Changing workflow code safely").

export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const dir = path.join(__dirname, '..', 'replay', 'histories');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${name}.json`), historyToJSON(await handle.fetchHistory()));
}
