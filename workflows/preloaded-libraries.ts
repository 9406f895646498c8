import { ed25519 } from '@noble/curves/ed25519';

// Loaded once per worker thread, before any workflow runs (see worker/workflow-preload.ts): the libraries it
// names join the SDK's shared module cache instead of being evaluated again for every workflow run. The
// package marks itself free of side effects, so a bare preload of it would be dropped by the bundler; the
// export below keeps it.
export const preloadedLibraries = [ed25519];
