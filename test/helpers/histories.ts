import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

// Adds a run's history to the replay corpus when RECORD_HISTORIES is set (README, "Changing workflow code
// safely"): 1 records under the test's own name; any other value is a tag added to the name, so that the
// histories of a new code path join the corpus beside the old ones instead of replacing them.

export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  const tag = process.env.RECORD_HISTORIES;
  if (!tag) return;
  if (tag !== '1') name = `${name}-${tag}`;
  const dir = path.join(__dirname, '..', 'replay', 'histories');
  await mkdir(dir, { recursive: true });
  // Stack traces in failures name files by absolute path: the corpus keeps them relative to the project.
  const projectDir = path.resolve(__dirname, '..', '..') + path.sep;
  const json = historyToJSON(await handle.fetchHistory())
    .split(projectDir)
    .join('');
  await writeFile(path.join(dir, `${name}.json`), json);
}
