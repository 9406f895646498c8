import { KeyRingError, loadKeyRing, type KeyRing } from '../../platform/encryption/key-ring';

// A problem found by a CLI command's own work (not by the workflow): usage is the person's request
// (exit 2), refused is what the data on disk will not allow (exit 1). The message says what to do.
// exit-codes.ts turns each into its exit code.

/** A command line the person must change: an argument in the wrong form, a file named that cannot be used (exit 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export class CliProblem extends Error {
  constructor(
    readonly kind: 'usage' | 'refused',
    message: string,
  ) {
    super(message);
    this.name = 'CliProblem';
  }
}

/**
 * The key ring that opens files the worker encrypted at rest, for the namespace it ran in. With no ring
 * at all a sealed file still opens far enough to name the key it needs; a broken ring setting is the
 * person's to fix.
 */
export function keyRingForReading(env: NodeJS.ProcessEnv, dataDir: string, namespace?: string): KeyRing {
  try {
    return loadKeyRing(env, dataDir, { namespace }) ?? { activeKeyId: '', keys: new Map() };
  } catch (err) {
    if (err instanceof KeyRingError) throw new CliProblem('usage', err.message);
    throw err;
  }
}
