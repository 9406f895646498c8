import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';

// Committed histories of real runs must still replay against today's workflow code: a change that would
// make a running incident take a different path fails here, before it reaches a worker in production.
// Record new ones with `RECORD_HISTORIES=1 npx vitest run test/workflow` (see README).

const DIR = path.join(__dirname, 'histories');

describe('replay of committed histories', () => {
  it('replays every committed history without non-determinism', async () => {
    const files = (await readdir(DIR)).filter((f) => f.endsWith('.json')).sort();
    expect(files.length).toBeGreaterThanOrEqual(4);
    const histories = await Promise.all(
      files.map(async (f) => ({
        workflowId: f.replace(/\.json$/, ''),
        history: historyFromJSON(JSON.parse(await readFile(path.join(DIR, f), 'utf8'))),
      })),
    );
    const results = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('workflowBundlePath') } },
      histories,
    )) {
      results.push({ workflowId: result.workflowId, error: result.error?.message });
    }
    expect(results).toEqual(files.map((f) => ({ workflowId: f.replace(/\.json$/, ''), error: undefined })));
  });
});
