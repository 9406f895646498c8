import path from 'node:path';

// With the reused V8 context the SDK evaluates every module of the workflow bundle afresh for each workflow
// run, so that module state cannot leak between incidents. The ed25519 module (signed actions, board links)
// spends most of that evaluation precomputing curve constants a run only reads. Modules named here are
// evaluated once per worker thread instead, then shared and frozen by the SDK: only stateless,
// deterministic libraries belong in workflows/preloaded-libraries.ts.

/** The preload list for a bundle of `workflowsPath` (workflows/index.ts, or its build in dist). */
export function preloadedWorkflowModules(workflowsPath: string): string[] {
  return [path.join(path.dirname(workflowsPath), 'preloaded-libraries')];
}
